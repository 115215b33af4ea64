import { parseArgs } from 'node:util'
import { CLUSTER_KIND_OPTIONS, clusterKindOptions } from '../../testbed/cluster-kind-flags.js'

/** The cluster-kind command-line flags and the TestbedOptions they turn into. */
const parse = (args: string[]) =>
  clusterKindOptions(parseArgs({ args, strict: true, options: CLUSTER_KIND_OPTIONS }).values)

describe('cluster-kind flags', () => {
  it('map to TestbedOptions', () => {
    expect(
      parse([
        '--cni-mode',
        'addon',
        '--addon-config',
        '{"env":{"WARM_IP_TARGET":"1"}}',
        '--ip-family',
        'ipv6',
        '--cluster-status',
        'CREATING',
        '--cluster-active-after-ms',
        '2500',
        '--addon-delay-ms',
        '0'
      ])
    ).toEqual({
      cniMode: 'addon',
      addonConfigurationValues: '{"env":{"WARM_IP_TARGET":"1"}}',
      ipFamily: 'ipv6',
      clusterStatus: 'CREATING',
      clusterActiveAfterMs: 2500,
      addonUpdateDelayMs: 0
    })
    expect(parse(['--auto-mode'])).toEqual({ autoMode: true })
    expect(parse([])).toEqual({})
  })

  it('reject bad values, naming the flag', () => {
    expect(() => parse(['--cni-mode', 'helm'])).toThrow(
      '--cni-mode must be self-managed or addon, got "helm"'
    )
    expect(() => parse(['--ip-family', 'ipv5'])).toThrow('--ip-family must be ipv4 or ipv6')
    expect(() => parse(['--cluster-status', 'FAILED'])).toThrow('--cluster-status must be')
    expect(() => parse(['--addon-delay-ms=1.5'])).toThrow('--addon-delay-ms must be')
    expect(() => parse(['--cni-mode', 'addon', '--auto-mode'])).toThrow('exclude each other')
  })
})
