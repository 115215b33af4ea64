import { beforeAll } from '@jest/globals'
import { Inputs } from '../../src/constants.js'
import { INPUT_DEFAULTS } from '../../src/settings.js'
import type { EniConfigObject } from '../../src/cni/eniconfig.js'
import { parseMode, parseResolveConflicts } from '../../src/addon/inputs.js'
import { manifestInputsError, planAddon } from '../../src/addon/plan.js'
import { loadSchemaCompiler } from '../../src/addon/schema.js'

// The compiler is loaded once, as prepareAddonPlan does before it plans.
beforeAll(loadSchemaCompiler)

const schema = JSON.stringify({
  $ref: '#/definitions/VpcCni',
  $schema: 'http://json-schema.org/draft-06/schema#',
  definitions: {
    VpcCni: {
      additionalProperties: false,
      type: 'object',
      properties: {
        env: {
          additionalProperties: false,
          type: 'object',
          properties: {
            WARM_IP_TARGET: { type: 'string', format: 'integer' },
            AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: { type: 'string', format: 'boolean' }
          }
        },
        eniConfig: {
          additionalProperties: false,
          type: 'object',
          required: ['create', 'region', 'subnets'],
          properties: {
            create: { type: 'boolean' },
            region: { type: 'string' },
            subnets: {
              type: 'object',
              minProperties: 1,
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                required: ['id'],
                properties: {
                  id: { type: 'string' },
                  securityGroups: { type: 'array', items: { type: 'string' } }
                }
              }
            }
          }
        }
      }
    }
  }
})
const eniConfigs: EniConfigObject[] = [
  {
    apiVersion: 'crd.k8s.amazonaws.com/v1alpha1',
    kind: 'ENIConfig',
    metadata: { name: 'us-west-2a' },
    spec: { subnet: 'subnet-0aaa1111bbbb22223', securityGroups: ['sg-1'] }
  }
]
const settings = {
  env: { WARM_IP_TARGET: '1', AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true' },
  initEnv: {}
}
const input = {
  current: { version: 'v1.19.6-eksbuild.1', configurationValues: '' },
  version: { reason: 'keeps' },
  schemaText: schema,
  settings,
  region: 'us-west-2',
  eniConfigs
}

describe('planAddon', () => {
  it('plans one update carrying env and eniConfig, then a no-op once EKS holds it', () => {
    const first = planAddon(input)
    expect(first).toMatchObject({
      action: 'update',
      addonVersion: 'v1.19.6-eksbuild.1',
      noop: false
    })
    expect(first.sendVersion).toBeUndefined()
    expect(first.changes.map((c) => c.key)).toEqual([
      'eniConfig.create',
      'eniConfig.region',
      'eniConfig.subnets.us-west-2a.id',
      'eniConfig.subnets.us-west-2a.securityGroups',
      'env.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG',
      'env.WARM_IP_TARGET'
    ])
    // EKS returns the string as sent; spelled as YAML it means the same.
    const again = planAddon({
      ...input,
      current: { ...input.current, configurationValues: first.configurationValues }
    })
    expect(again.noop).toBe(true)
    expect(again.changes).toEqual([])
  })

  it('is not a no-op when only the version changes, and never for a create', () => {
    const stored = planAddon(input).configurationValues
    expect(
      planAddon({
        ...input,
        current: { ...input.current, configurationValues: stored },
        version: { addonVersion: 'v1.20.5-eksbuild.1', reason: 'newer' }
      })
    ).toMatchObject({
      noop: false,
      sendVersion: 'v1.20.5-eksbuild.1',
      addonVersion: 'v1.20.5-eksbuild.1'
    })
    expect(
      planAddon({
        ...input,
        current: undefined,
        version: { addonVersion: 'v1.19.6-eksbuild.1', reason: 'default' }
      })
    ).toMatchObject({ action: 'create', noop: false })
  })

  it('throws before any write when the schema refuses a value, naming the input', () => {
    expect(() =>
      planAddon({ ...input, settings: { env: { ...settings.env, BOGUS: 'x' }, initEnv: {} } })
    ).toThrow(
      "- input 'env': $.env.BOGUS: is not defined in the schema and the schema does not allow additional properties"
    )
  })
})

describe('manifestInputsError and the new input parsers', () => {
  it('refuses manifest-only inputs set to anything but their default, naming them', () => {
    const raw = (values: Partial<Record<Inputs, string>>) => (name: Inputs) =>
      values[name] ?? INPUT_DEFAULTS[name]
    expect(manifestInputsError(raw({}))).toBeUndefined()
    expect(
      manifestInputsError(raw({ [Inputs.ManifestBaseUrl]: INPUT_DEFAULTS[Inputs.ManifestBaseUrl] }))
    ).toBeUndefined()
    expect(
      manifestInputsError(
        raw({ [Inputs.Manifest]: './cni.yaml', [Inputs.ImageRegistry]: 'example.com/mirror' })
      )?.message
    ).toMatch(/^'manifest', 'image-registry' apply only to a self-managed VPC CNI/)
  })

  it('parses mode and resolve-conflicts, naming the input and the choices', () => {
    expect(parseMode('mode', '')).toBe('auto')
    expect(parseMode('mode', 'Addon')).toBe('addon')
    expect(() => parseMode('mode', 'managed')).toThrow(
      `Input 'mode' has an invalid value "managed": expected auto, addon, self-managed`
    )
    expect(parseResolveConflicts('resolve-conflicts', '')).toBe('OVERWRITE')
    expect(parseResolveConflicts('resolve-conflicts', 'preserve')).toBe('PRESERVE')
    expect(() => parseResolveConflicts('resolve-conflicts', 'FORCE')).toThrow(
      'expected OVERWRITE, PRESERVE, NONE'
    )
  })
})
