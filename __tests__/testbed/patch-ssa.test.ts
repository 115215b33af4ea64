import { fixturePath } from '../../testbed/fixtures.js'
import { readFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import yaml from 'js-yaml'
import {
  PatchError,
  recordUpdate,
  serverSideApply,
  type Ownership
} from '../../testbed/k8s/patch/index.js'

type Obj = Record<string, unknown>
type Env = { name: string; value?: string }
type Container = Obj & { name: string; image?: string; env?: Env[] }
type DaemonSet = Obj & {
  metadata: Obj
  spec: { template: { spec: Obj & { containers: Container[] } } }
}

const FIXTURE = fixturePath('aws-k8s-cni-v1.19.6.yaml')
const AWS_NODE = '.spec.template.spec.containers[name="aws-node"]'
const T0 = '2026-11-27T10:00:00Z'
const T1 = '2026-11-27T10:05:00Z'
const T2 = '2026-11-27T10:10:00Z'

/** The aws-node DaemonSet as in the upstream manifest (read, never copied into the repo). */
function awsNode(): DaemonSet {
  const docs = yaml.loadAll(readFileSync(FIXTURE, 'utf8')) as Obj[]
  return docs.find((d) => d?.kind === 'DaemonSet') as DaemonSet
}

/** A minimal apply configuration for the aws-node container, as an action would send it. */
function config(image: string, env: Env[] = []): DaemonSet {
  const c: Container = { name: 'aws-node', image }
  if (env.length > 0) c.env = env
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [c] } } }
  }
}

const nodeContainer = (ds: Obj): Container =>
  (ds as DaemonSet).spec.template.spec.containers.find((c) => c.name === 'aws-node') as Container
const envOf = (ds: Obj): Env[] => nodeContainer(ds).env ?? []

function apply(
  live: Obj | undefined,
  cfg: Obj,
  manager: string,
  ownership: Ownership,
  opts: { force?: boolean; now?: string } = {}
): { object: Obj; ownership: Ownership } {
  return serverSideApply({
    live,
    config: cfg,
    manager,
    force: opts.force ?? false,
    ownership,
    apiVersion: 'apps/v1',
    now: opts.now ?? T1
  })
}

function conflictOf(fn: () => unknown): PatchError {
  try {
    fn()
  } catch (e) {
    if (e instanceof PatchError) return e
    throw e
  }
  throw new Error('expected a conflict')
}

/** The live DaemonSet as kubectl client-side apply created it (POST, manager Update). */
function clientSideApplied(): { live: DaemonSet; ownership: Ownership } {
  const live = awsNode()
  const ownership = recordUpdate({
    before: undefined,
    after: live,
    manager: 'kubectl-client-side-apply',
    ownership: {},
    apiVersion: 'apps/v1',
    now: T0
  })
  return { live, ownership }
}

describe('serverSideApply', () => {
  it('creates the object and owns every applied leaf (list-map keys, atomic lists as one leaf)', () => {
    const cfg = awsNode()
    const snapshot = JSON.stringify(cfg)
    const { object, ownership } = apply(
      undefined,
      { ...cfg, status: { numberReady: 3 } },
      'gha',
      {}
    )
    expect(JSON.stringify(cfg)).toBe(snapshot)
    expect(object).toEqual(cfg)
    const entry = ownership.gha
    expect(entry).toMatchObject({ operation: 'Apply', apiVersion: 'apps/v1', time: T1 })
    expect(entry.paths).toEqual(
      expect.arrayContaining([
        `${AWS_NODE}.image`,
        `${AWS_NODE}.name`,
        `${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`,
        `${AWS_NODE}.ports[containerPort=61678,protocol="TCP"].name`,
        `${AWS_NODE}.volumeMounts[mountPath="/host/opt/cni/bin"].name`,
        `${AWS_NODE}.livenessProbe.exec.command`,
        '.spec.template.spec.tolerations',
        '.spec.template.spec.securityContext',
        '.spec.template.spec.initContainers[name="aws-vpc-cni-init"].env[name="ENABLE_IPv6"].value',
        '.spec.template.metadata.labels.k8s-app',
        '.metadata.labels.app.kubernetes.io/version'
      ])
    )
    expect(entry.paths.some((p) => p.startsWith('.status'))).toBe(false)
    expect(entry.paths).not.toContain('.metadata.name')
    expect(entry.paths).not.toContain('.apiVersion')
    expect(entry.paths.some((p) => p.startsWith(`${AWS_NODE}.livenessProbe.exec.command[`))).toBe(
      false
    )
  })

  it('returns deep-equal object and ownership for a no-op reapply, keeping the old time', () => {
    const first = apply(undefined, awsNode(), 'gha', {}, { now: T1 })
    const live = {
      ...first.object,
      metadata: { ...(first.object.metadata as Obj), uid: 'u-1', resourceVersion: '5' }
    }
    const second = apply(live, awsNode(), 'gha', first.ownership, { now: T2 })
    expect(isDeepStrictEqual(second.object, live)).toBe(true)
    expect(isDeepStrictEqual(second.ownership, first.ownership)).toBe(true)
    expect(second.ownership.gha.time).toBe(T1)
  })

  it('updates a field the manager owns, with a new time, and keeps server-set metadata', () => {
    const first = apply(undefined, config('cni:v1.19.5'), 'gha', {})
    const live = { ...first.object, metadata: { ...(first.object.metadata as Obj), uid: 'u-1' } }
    const cfg = {
      ...config('cni:v1.19.6'),
      metadata: { name: 'aws-node', namespace: 'kube-system', uid: 'other' }
    }
    const { object, ownership } = apply(live, cfg, 'gha', first.ownership, { now: T2 })
    expect(nodeContainer(object).image).toBe('cni:v1.19.6')
    expect((object.metadata as Obj).uid).toBe('u-1')
    expect(ownership.gha.time).toBe(T2)
  })

  it('conflicts with the client-side-apply Update manager exactly like the apiserver', () => {
    const { live, ownership } = clientSideApplied()
    const before = JSON.stringify([live, ownership])
    const err = conflictOf(() => apply(live, config('cni:v1.19.0'), 'gha', ownership))
    expect(err.status).toBe(409)
    expect(err.reason).toBe('Conflict')
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers[name="aws-node"].image'
    )
    expect(err.causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: '.spec.template.spec.containers[name="aws-node"].image'
      }
    ])
    expect(JSON.stringify([live, ownership])).toBe(before)
  })

  it('groups several conflicts per manager (Apply managers print without apiVersion)', () => {
    const { live, ownership } = clientSideApplied()
    const warm = envOf(live).find((e) => e.name === 'WARM_ENI_TARGET') as Env
    const shared = config(nodeContainer(live).image as string, [warm])
    const other = apply(live, shared, 'helm', ownership)
    const cfg = config('cni:v1.19.0', [{ name: 'WARM_ENI_TARGET', value: '5' }])
    const err = conflictOf(() => apply(other.object, cfg, 'gha', other.ownership))
    expect(err.message).toBe(
      [
        'Apply failed with 4 conflicts: conflicts with "helm":',
        `- ${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`,
        `- ${AWS_NODE}.image`,
        'conflicts with "kubectl-client-side-apply" using apps/v1:',
        `- ${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`,
        `- ${AWS_NODE}.image`
      ].join('\n')
    )
    expect(err.causes?.map((c) => c.message)).toEqual([
      'conflict with "helm"',
      'conflict with "helm"',
      'conflict with "kubectl-client-side-apply" using apps/v1',
      'conflict with "kubectl-client-side-apply" using apps/v1'
    ])
  })

  it('shares ownership without conflict when the applied value equals the live one', () => {
    const { live, ownership } = clientSideApplied()
    const image = nodeContainer(live).image as string
    const { object, ownership: out } = apply(live, config(image), 'gha', ownership)
    expect(object).toEqual(live)
    expect(out.gha.paths).toEqual([`${AWS_NODE}.image`, `${AWS_NODE}.name`])
    expect(out['kubectl-client-side-apply']).toEqual(ownership['kubectl-client-side-apply'])
  })

  it('moves ownership on force', () => {
    const { live, ownership } = clientSideApplied()
    const { object, ownership: out } = apply(live, config('cni:v1.19.0'), 'gha', ownership, {
      force: true
    })
    expect(nodeContainer(object).image).toBe('cni:v1.19.0')
    expect(out.gha.paths).toContain(`${AWS_NODE}.image`)
    expect(out['kubectl-client-side-apply'].paths).not.toContain(`${AWS_NODE}.image`)
    expect(out['kubectl-client-side-apply'].paths).toContain(`${AWS_NODE}.name`)
    expect(out['kubectl-client-side-apply'].time).toBe(T0)
    // The old owner now conflicts in turn.
    const err = conflictOf(() =>
      apply(object, config('cni:v1.19.6'), 'kubectl-client-side-apply', out)
    )
    expect(err.message).toBe(`Apply failed with 1 conflict: conflict with "gha": ${AWS_NODE}.image`)
  })

  it('removes a field the manager stopped applying, unless another manager owns it', () => {
    const env = [
      { name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' },
      { name: 'ENI_CONFIG_LABEL_DEF', value: 'topology.kubernetes.io/zone' }
    ]
    const first = apply(undefined, config('cni:v1', env), 'gha', {})
    const dropped = apply(first.object, config('cni:v1', env.slice(0, 1)), 'gha', first.ownership)
    expect(envOf(dropped.object)).toEqual(env.slice(0, 1))
    expect(dropped.ownership.gha.paths.some((p) => p.includes('ENI_CONFIG_LABEL_DEF'))).toBe(false)

    // kubectl set env changed the value, so kubectl-set owns it and it survives the drop.
    const edited = {
      ...first.object,
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'aws-node', image: 'cni:v1', env: [env[0], { ...env[1], value: 'zone' }] }
            ]
          }
        }
      }
    }
    const owned = recordUpdate({
      before: first.object,
      after: edited,
      manager: 'kubectl-set',
      ownership: first.ownership,
      apiVersion: 'apps/v1',
      now: T2
    })
    const kept = apply(edited, config('cni:v1', env.slice(0, 1)), 'gha', owned)
    expect(envOf(kept.object)).toEqual([env[0], { name: 'ENI_CONFIG_LABEL_DEF', value: 'zone' }])
  })

  it('drops the whole container when its applier stops applying it', () => {
    const cfg = config('cni:v1')
    cfg.spec.template.spec.containers.push({ name: 'sidecar', image: 'side:v1' })
    const first = apply(undefined, cfg, 'gha', {})
    const { object } = apply(first.object, config('cni:v1'), 'gha', first.ownership)
    expect((object as DaemonSet).spec.template.spec.containers).toEqual([
      { name: 'aws-node', image: 'cni:v1' }
    ])
  })

  it('keeps both appliers’ entries in a shared list-map with different keys', () => {
    const a = apply(undefined, config('cni:v1', [{ name: 'A', value: '1' }]), 'team-a', {})
    const b = apply(a.object, config('cni:v1', [{ name: 'B', value: '2' }]), 'team-b', a.ownership)
    expect(envOf(b.object)).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' }
    ])
    const again = apply(
      b.object,
      config('cni:v1', [{ name: 'A', value: '3' }]),
      'team-a',
      b.ownership
    )
    expect(envOf(again.object)).toEqual([
      { name: 'A', value: '3' },
      { name: 'B', value: '2' }
    ])
    expect(again.ownership['team-b'].paths).toContain(`${AWS_NODE}.env[name="B"].value`)
    expect(again.ownership['team-a'].paths).toContain(`${AWS_NODE}.image`)
    expect(again.ownership['team-b'].paths).toContain(`${AWS_NODE}.image`)
  })

  it('merges an env list-map into the client-side-applied DaemonSet, preserving the other entries', () => {
    const { live, ownership } = clientSideApplied()
    const image = nodeContainer(live).image as string
    const added = { name: 'ENI_CONFIG_LABEL_DEF', value: 'topology.kubernetes.io/zone' }
    const custom = { name: 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', value: 'true' }
    const err = conflictOf(() => apply(live, config(image, [custom, added]), 'gha', ownership))
    expect(err.causes?.map((c) => c.field)).toEqual([
      `${AWS_NODE}.env[name="AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"].value`
    ])
    const { object, ownership: out } = apply(
      live,
      config(image, [custom, added]),
      'gha',
      ownership,
      {
        force: true
      }
    )
    const names = envOf(live).map((e) => e.name)
    expect(envOf(object).map((e) => e.name)).toEqual([...names, added.name])
    expect(envOf(object).find((e) => e.name === custom.name)?.value).toBe('true')
    expect(nodeContainer(object).livenessProbe).toEqual(nodeContainer(live).livenessProbe)
    expect(object.spec).toMatchObject({ updateStrategy: (live.spec as Obj).updateStrategy })
    expect(out['kubectl-client-side-apply'].paths).toContain(
      `${AWS_NODE}.env[name="WARM_ENI_TARGET"].value`
    )
  })

  it('lets an annotation-only apply (kubectl-last-applied) leave everything else alone', () => {
    const { live, ownership } = clientSideApplied()
    const cfg = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name: 'aws-node',
        namespace: 'kube-system',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' }
      }
    }
    const { object, ownership: out } = apply(live, cfg, 'kubectl-last-applied', ownership)
    expect(object).toEqual({
      ...live,
      metadata: { ...live.metadata, annotations: cfg.metadata.annotations }
    })
    expect(out['kubectl-last-applied'].paths).toEqual([
      '.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration'
    ])
  })

  it('ignores status and keeps the live status', () => {
    const live = { ...awsNode(), status: { numberReady: 3 } }
    const { object } = apply(live, { ...awsNode(), status: { numberReady: 0 } }, 'gha', {})
    expect(object.status).toEqual({ numberReady: 3 })
  })

  it('treats CRD spec.versions as a list-map by name', () => {
    const crd = (served: boolean): Obj => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'eniconfigs.crd.k8s.amazonaws.com' },
      spec: {
        group: 'crd.k8s.amazonaws.com',
        versions: [{ name: 'v1alpha1', served, storage: true }]
      }
    })
    const first = apply(undefined, crd(true), 'gha', {})
    expect(first.ownership.gha.paths).toContain('.spec.versions[name="v1alpha1"].served')
    const err = conflictOf(() => apply(first.object, crd(false), 'other', first.ownership))
    expect(err.causes?.[0].field).toBe('.spec.versions[name="v1alpha1"].served')
  })
})

describe('serverSideApply edge cases', () => {
  it('does not conflict when filling an owned empty map (securityContext: {})', () => {
    const live = awsNode()
    const ownership = recordUpdate({
      before: undefined,
      after: live,
      manager: 'kubectl-client-side-apply',
      ownership: {},
      apiVersion: 'apps/v1',
      now: T0
    })
    const cfg = config(nodeContainer(live).image as string)
    ;(cfg.spec.template.spec as Obj).securityContext = { runAsNonRoot: true }
    const { object, ownership: out } = apply(live, cfg, 'gha', ownership)
    expect((object as DaemonSet).spec.template.spec.securityContext).toEqual({ runAsNonRoot: true })
    // The creator keeps the map it created; the applier owns the field it added inside it.
    expect(out['kubectl-client-side-apply'].paths).toContain('.spec.template.spec.securityContext')
    expect(out.gha.paths).toContain('.spec.template.spec.securityContext.runAsNonRoot')
  })

  it('rejects duplicate list-map keys with 422 like the apiserver', () => {
    const cfg = config('cni:v1', [
      { name: 'A', value: '1' },
      { name: 'A', value: '2' }
    ])
    const err = conflictOf(() => apply(undefined, cfg, 'gha', {}))
    expect(err.status).toBe(422)
    expect(err.message).toBe(
      `failed to create typed patch object (apps/v1, Kind=DaemonSet): ${AWS_NODE}.env: duplicate entries for key [name="A"]`
    )
  })
})
