import { describe, expect, it } from '@jest/globals'
import type { KubernetesObject } from '@kubernetes/client-node'
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js'
import {
  planChanged,
  planChanges,
  planMarkdown,
  plannedChange,
  withPlannedChanges
} from '../src/plan.js'
import { managedAwsNode } from './fixtures/aws-node-managed.js'

const DS = 'DaemonSet kube-system/aws-node'
const k8s = (o: unknown) => o as KubernetesObject
type Served = ReturnType<typeof managedAwsNode>

/** The live aws-node as the API server returns it (a client-node model, Dates and all). */
const live = () => managedAwsNode({ installer: ['helm', 'Update'], status: true })
const model = (o: unknown) => k8s(ObjectSerializer.deserialize(o, 'V1DaemonSet'))

/** A dry-run answer: the live object after `edit`, with the server's stamps moved. */
function answer(edit: (o: Served) => void, base: Served = live()): Served {
  const o = structuredClone(base)
  edit(o)
  o.metadata.generation += 1
  o.metadata.managedFields = o.metadata.managedFields.map((e) => ({
    ...e,
    time: '2026-11-30T00:00:00Z'
  }))
  ;(o.metadata as { annotations?: Record<string, string> }).annotations = {
    'deprecated.daemonset.template.generation': String(o.metadata.generation)
  }
  o.status = { numberReady: 1 }
  return o
}

const env = (o: Served) =>
  (o.spec.template.spec.containers[0] as { env: { name: string; value: string }[] }).env

describe('planChanges', () => {
  it('shows a changed env value, and nothing for server stamps, status or managedFields times', () => {
    const after = answer((o) => {
      env(o).find((e) => e.name === 'AWS_VPC_K8S_CNI_LOGLEVEL')!.value = 'INFO'
    })
    const [plan] = planChanges([{ live: model(live()), after: model(after) }])
    expect(plan).toEqual({
      object: DS,
      action: 'update',
      changes: [
        { object: DS, field: 'env AWS_VPC_K8S_CNI_LOGLEVEL', before: 'DEBUG', after: 'INFO' }
      ]
    })
  })

  it('shows a removed variable (an input set to empty) as removed', () => {
    const after = answer((o) => {
      o.spec.template.spec.containers[0].env = env(o).filter((e) => e.name !== 'WARM_ENI_TARGET')
    })
    const plans = planChanges([{ live: k8s(live()), after: k8s(after) }])
    expect(plans[0].changes).toEqual([
      { object: DS, field: 'env WARM_ENI_TARGET', before: '1', after: undefined }
    ])
    expect(planChanged(plans)).toBe(true)
    const md = planMarkdown(plans)
    expect(md).toContain('| `env WARM_ENI_TARGET` | `1` | *removed* |')
  })

  it('lists every field a version change resets: images, nodeagent args, other env', () => {
    const after = answer((o) => {
      const [node, agent] = o.spec.template.spec.containers
      node.image = node.image.replace('v1.19.6-eksbuild.1', 'v1.20.5')
      agent.args = ['--enable-network-policy=false']
      env(o).push({ name: 'ENABLE_IPv6', value: 'false' })
    })
    const fields = planChanges([{ live: k8s(live()), after: k8s(after) }])[0].changes.map((c) => [
      c.field,
      c.before,
      c.after
    ])
    expect(fields).toEqual([
      [
        'image aws-node',
        '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1',
        '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.20.5'
      ],
      [
        'spec.template.spec.containers[aws-eks-nodeagent].args',
        '--enable-network-policy=true, --enable-cloudwatch-logs=false',
        '--enable-network-policy=false'
      ],
      ['env ENABLE_IPv6', undefined, 'false']
    ])
  })

  it('an answer equal to the live object is unchanged, even with new stamps', () => {
    const plans = planChanges([{ live: k8s(live()), after: k8s(answer(() => undefined)) }])
    expect(plans[0]).toEqual({ object: DS, action: 'unchanged', changes: [] })
    expect(planChanged(plans)).toBe(false)
    expect(planMarkdown(plans)).toContain('Nothing would change')
  })

  it('a change of owner alone is a change (the real write stores it too)', () => {
    const after = answer((o) => {
      o.metadata.managedFields.push({
        manager: 'eks-cni-custom-networking',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2026-11-30T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:spec': {
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"aws-node"}': {
                    'f:env': {
                      'k:{"name":"WARM_ENI_TARGET"}': { '.': {}, 'f:name': {}, 'f:value': {} }
                    }
                  }
                }
              }
            }
          }
        }
      } as never)
    })
    const [plan] = planChanges([{ live: k8s(live()), after: k8s(after) }])
    expect(plan.action).toBe('update')
    expect(plan.changes).toEqual([
      {
        object: DS,
        field: 'field owners',
        before: expect.stringMatching(/^helm Update \(\d+ fields\)$/),
        after: expect.stringMatching(/^eks-cni-custom-networking Apply \(2 fields\), helm Update/)
      }
    ])
    expect(plannedChange(k8s(live()), k8s(after))).toBe('configured')
  })

  it('an answer without managedFields leaves owners out rather than calling them removed', () => {
    const after = answer((o) => {
      env(o).find((e) => e.name === 'WARM_ENI_TARGET')!.value = '2'
    }) as { metadata: { managedFields?: unknown } }
    delete after.metadata.managedFields
    const [plan] = planChanges([{ live: k8s(live()), after: k8s(after) }])
    expect(plan.changes.map((c) => c.field)).toEqual(['env WARM_ENI_TARGET'])
  })

  it('a created aws-node shows its env and images; an ENIConfig its spec; others no rows', () => {
    const eni = {
      apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
      kind: 'ENIConfig',
      metadata: { name: 'us-east-1a' },
      spec: { subnet: 'subnet-1', securityGroups: ['sg-1', 'sg-2'] }
    }
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'aws-node' },
      rules: []
    }
    const plans = planChanges([
      { live: undefined, after: k8s(live()) },
      { live: undefined, after: k8s(eni) },
      { live: undefined, after: k8s(role) }
    ])
    expect(plans.map((p) => p.action)).toEqual(['create', 'create', 'create'])
    expect(plans[0].changes.map((c) => c.field)).toContain('env WARM_ENI_TARGET')
    expect(plans[0].changes.map((c) => c.field)).toContain('init env DISABLE_TCP_EARLY_DEMUX')
    expect(plans[0].changes.map((c) => c.field)).toContain('image aws-eks-nodeagent')
    expect(plans[1].changes).toEqual([
      {
        object: 'ENIConfig us-east-1a',
        field: 'spec.subnet',
        before: undefined,
        after: 'subnet-1'
      },
      {
        object: 'ENIConfig us-east-1a',
        field: 'spec.securityGroups',
        before: undefined,
        after: 'sg-1, sg-2'
      }
    ])
    expect(plans[2].changes).toEqual([])
  })

  it('escapes values from the cluster in the summary', () => {
    const after = answer((o) => {
      env(o).find((e) => e.name === 'ADDITIONAL_ENI_TAGS')!.value = '{"a":"`|<script>"}'
    })
    const md = planMarkdown(planChanges([{ live: k8s(live()), after: k8s(after) }]))
    expect(md).toContain('| `{}` | ``{"a":"`\\|<script>"}`` |')
    expect(md).toContain('#### DaemonSet kube-system/aws-node (update)')
  })
})

describe('withPlannedChanges', () => {
  it('decides a dry run apply by content, not by the resourceVersion the answer keeps', () => {
    const before = live()
    const same = answer(() => undefined)
    const changed = answer((o) => {
      env(o)[0].value = '{"x":"y"}'
    })
    const liveMap = new Map([['DaemonSet/kube-system/aws-node', k8s(before)]])
    const key = 'DaemonSet/kube-system/aws-node'
    const out = withPlannedChanges(
      [
        { key, change: 'unchanged' as const, object: k8s(changed) },
        { key, change: 'configured' as const, object: k8s(same) },
        {
          key: 'ENIConfig/a',
          change: 'unchanged' as const,
          object: k8s({ kind: 'ENIConfig', metadata: { name: 'a' } })
        }
      ],
      liveMap
    )
    expect(out.map((a) => a.change)).toEqual(['configured', 'unchanged', 'created'])
  })
})
