import {
  checkValues,
  compileAddonSchema,
  loadSchemaCompiler,
  schemaError
} from '../../src/addon/schema.js'
import { desiredValues, diffValues } from '../../src/addon/values.js'

// The compiler is loaded once, as prepareAddonPlan does before it plans (before the describe
// blocks below, some of which compile at collection time).
await loadSchemaCompiler()

// The shape of the vpc-cni schemas EKS serves (draft-06, $ref to VpcCni, additionalProperties
// false everywhere, string env values with boolean/integer formats), trimmed to a few env keys.
const env = {
  additionalProperties: false,
  properties: {
    ENABLE_POD_ENI: { format: 'boolean', type: 'string' },
    ENABLE_PREFIX_DELEGATION: { format: 'boolean', type: 'string' },
    WARM_IP_TARGET: { format: 'integer', type: 'string' },
    AWS_VPC_K8S_CNI_LOGLEVEL: { type: 'string' }
  },
  title: 'Env',
  type: 'object'
}
const v115 = JSON.stringify({
  $ref: '#/definitions/VpcCni',
  $schema: 'http://json-schema.org/draft-06/schema#',
  definitions: {
    EniConfig: {
      additionalProperties: false,
      properties: {
        create: { type: 'boolean' },
        region: { type: 'string' },
        subnets: {
          additionalProperties: {
            additionalProperties: false,
            properties: {
              id: { type: 'string' },
              securityGroups: { items: { type: 'string' }, type: 'array' }
            },
            required: ['id'],
            type: 'object'
          },
          minProperties: 1,
          type: 'object'
        }
      },
      required: ['create', 'region', 'subnets'],
      type: 'object'
    },
    Env: env,
    Init: {
      additionalProperties: false,
      properties: { env: { $ref: '#/definitions/InitEnv' } },
      type: 'object'
    },
    InitEnv: {
      additionalProperties: false,
      properties: { DISABLE_TCP_EARLY_DEMUX: { format: 'boolean', type: 'string' } },
      type: 'object'
    },
    VpcCni: {
      additionalProperties: false,
      properties: {
        enableNetworkPolicy: { format: 'boolean', type: 'string' },
        eniConfig: { $ref: '#/definitions/EniConfig' },
        env: { $ref: '#/definitions/Env' },
        init: { $ref: '#/definitions/Init' }
      },
      title: 'VpcCni',
      type: 'object'
    }
  },
  description: 'vpc-cni'
})
// v1.12.0's shape: no init, no eniConfig.
const v112 = JSON.stringify({
  $ref: '#/definitions/VpcCni',
  $schema: 'http://json-schema.org/draft-06/schema#',
  definitions: {
    Env: env,
    VpcCni: {
      additionalProperties: false,
      properties: { env: { $ref: '#/definitions/Env' } },
      type: 'object'
    }
  }
})

describe('compileAddonSchema', () => {
  it('tells whether the version has eniConfig and init.env', () => {
    expect(compileAddonSchema(v115, 'v1.15.1-eksbuild.1')).toMatchObject({
      hasEniConfig: true,
      hasInitEnv: true
    })
    expect(compileAddonSchema(v112, 'v1.12.0-eksbuild.1')).toMatchObject({
      hasEniConfig: false,
      hasInitEnv: false
    })
  })

  it('refuses a schema that is not JSON', () => {
    expect(() => compileAddonSchema('nope', 'v1')).toThrow(
      'configuration schema of add-on version v1 is not JSON'
    )
  })
})

describe('checkValues', () => {
  const schema = compileAddonSchema(v115, 'v1.15.1-eksbuild.1')
  const settings = {
    env: { ENABLE_POD_ENI: 'true', WARM_IP_TARGET: '1', MY_SETTING: 'x' },
    initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' }
  }
  const eni = {
    region: 'us-west-2',
    configs: [
      {
        apiVersion: 'crd.k8s.amazonaws.com/v1alpha1' as const,
        kind: 'ENIConfig' as const,
        metadata: { name: 'us-west-2a' },
        spec: { subnet: 'subnet-0aaa1111bbbb22223', securityGroups: ['sg-1'] }
      }
    ]
  }

  it('accepts the desired values of a valid run', () => {
    const { values } = desiredValues(
      { enableNetworkPolicy: 'true' },
      { ...settings, env: { ENABLE_POD_ENI: 'true' } },
      eni,
      true
    )
    expect(
      checkValues(
        schema,
        values,
        diffValues({}, values).map((c) => c.key)
      )
    ).toEqual([])
  })

  it("names the input and quotes the complaint in EKS's words", () => {
    const current = { env: { AWS_VPC_K8S_CNI_LOGLEVEL: 5 } }
    const { values } = desiredValues(
      current,
      { ...settings, env: { ...settings.env, WARM_IP_TARGET: 'many' } },
      eni,
      true
    )
    const problems = checkValues(
      schema,
      values,
      diffValues(current, values).map((c) => c.key)
    )
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          input: 'env',
          complaint:
            '$.env.MY_SETTING: is not defined in the schema and the schema does not allow additional properties'
        },
        {
          input: 'warm-ip-target',
          complaint: '$.env.WARM_IP_TARGET: does not match the integer pattern'
        },
        {
          input: undefined,
          complaint: '$.env.AWS_VPC_K8S_CNI_LOGLEVEL: integer found, string expected'
        }
      ])
    )
    expect(problems).toHaveLength(3)
    const error = schemaError(problems, 'v1.15.1-eksbuild.1')!
    expect(error.message).toContain(
      'schema of add-on version v1.15.1-eksbuild.1, so nothing was changed'
    )
    expect(error.message).toContain(
      "- input 'env': $.env.MY_SETTING: is not defined in the schema and the schema does not allow additional properties"
    )
    expect(error.message).toContain(
      "- already in the add-on's configurationValues (not set by this action): $.env.AWS_VPC_K8S_CNI_LOGLEVEL"
    )
  })

  it('names disable-tcp-early-demux where the version has no init', () => {
    const old = compileAddonSchema(v112, 'v1.12.0-eksbuild.1')
    const { values } = desiredValues(
      {},
      { env: { ENABLE_POD_ENI: 'true' }, initEnv: settings.initEnv },
      undefined,
      false
    )
    const problems = checkValues(
      old,
      values,
      diffValues({}, values).map((c) => c.key)
    )
    expect(problems).toEqual([
      {
        input: 'disable-tcp-early-demux',
        complaint:
          '$.init: is not defined in the schema and the schema does not allow additional properties'
      }
    ])
    expect(schemaError(problems, 'v1.12.0-eksbuild.1')!.message).toContain(
      "set disable-tcp-early-demux: '' to leave it out"
    )
    expect(schemaError([], 'v1')).toBeUndefined()
  })

  it('reports a missing required key of eniConfig', () => {
    const problems = checkValues(
      schema,
      { eniConfig: { create: true, subnets: { a: { id: 's' } } } },
      ['eniConfig.create']
    )
    expect(problems).toEqual([
      { input: 'subnets', complaint: '$.eniConfig.region: is missing but it is required' }
    ])
  })
})
