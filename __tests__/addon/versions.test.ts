import {
  addonVersionsFrom,
  compareAddonVersions,
  pickAddonVersion
} from '../../src/addon/versions.js'

// Shaped like DescribeAddonVersions' addons[] (botocore AddonInfo / AddonVersionInfo).
const compat = (from: number, to: number, defaults: number[] = []) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    clusterVersion: `1.${from + i}`,
    platformVersions: ['*'],
    defaultVersion: defaults.includes(from + i)
  }))
const versions = addonVersionsFrom([
  {
    addonName: 'vpc-cni',
    addonVersions: [
      { addonVersion: 'v1.20.5-eksbuild.1', compatibilities: compat(25, 34, [32, 33]) },
      {
        addonVersion: 'v1.19.6-eksbuild.1',
        compatibilities: compat(25, 33, [25, 26, 27, 28, 29, 30, 31])
      },
      { addonVersion: 'v1.19.6-eksbuild.2', compatibilities: compat(25, 33) },
      { addonVersion: 'v1.19.6-eksbuild.10', compatibilities: compat(25, 30) },
      { addonVersion: 'v1.18.6-eksbuild.1', compatibilities: compat(25, 31) }
    ]
  }
])

describe('addon versions', () => {
  it('reads the versions and their compatibilities', () => {
    expect(versions).toHaveLength(5)
    expect(versions[0]).toEqual({
      addonVersion: 'v1.20.5-eksbuild.1',
      clusterVersions: compat(25, 34).map((c) => c.clusterVersion),
      defaultFor: ['1.32', '1.33']
    })
    expect(
      addonVersionsFrom([{ addonName: 'coredns', addonVersions: [{ addonVersion: 'x' }] }])
    ).toEqual([])
  })

  it('orders by release, then by build number as a number', () => {
    expect(compareAddonVersions('v1.19.6-eksbuild.10', 'v1.19.6-eksbuild.2')).toBeGreaterThan(0)
    expect(compareAddonVersions('v1.19.6-eksbuild.2', 'v1.20.5-eksbuild.1')).toBeLessThan(0)
    expect(compareAddonVersions('v1.19.6-eksbuild.2', 'v1.19.6-eksbuild.2')).toBe(0)
  })

  it('picks the newest build of cni-version that supports the cluster', () => {
    expect(
      pickAddonVersion(versions, {
        requested: 'v1.19.6',
        kubernetesVersion: '1.30',
        allowDowngrade: false
      })
    ).toEqual({
      addonVersion: 'v1.19.6-eksbuild.10',
      reason: 'v1.19.6-eksbuild.10, the newest build of v1.19.6 for Kubernetes 1.30'
    })
    // eksbuild.10 does not support 1.31.
    expect(
      pickAddonVersion(versions, {
        requested: 'v1.19.6',
        kubernetesVersion: '1.31',
        allowDowngrade: false
      }).addonVersion
    ).toBe('v1.19.6-eksbuild.2')
  })

  it('keeps the version without cni-version, and when the pick is the running build', () => {
    expect(
      pickAddonVersion(versions, {
        current: 'v1.18.6-eksbuild.1',
        kubernetesVersion: '1.31',
        allowDowngrade: false
      })
    ).toEqual({ reason: 'keeps add-on version v1.18.6-eksbuild.1 (cni-version is empty)' })
    expect(
      pickAddonVersion(versions, {
        requested: 'v1.20.5',
        current: 'v1.20.5-eksbuild.1',
        kubernetesVersion: '1.31',
        allowDowngrade: false
      }).addonVersion
    ).toBeUndefined()
    // A newer build of the same release than EKS offers for this Kubernetes version: no downgrade.
    expect(
      pickAddonVersion(versions, {
        requested: 'v1.19.6',
        current: 'v1.19.6-eksbuild.10',
        kubernetesVersion: '1.31',
        allowDowngrade: false
      })
    ).toEqual({ reason: 'keeps add-on version v1.19.6-eksbuild.10 (already v1.19.6)' })
  })

  it('creates with the default version for the Kubernetes version', () => {
    expect(
      pickAddonVersion(versions, { kubernetesVersion: '1.31', allowDowngrade: false }).addonVersion
    ).toBe('v1.19.6-eksbuild.1')
    expect(
      pickAddonVersion(versions, { kubernetesVersion: '1.34', allowDowngrade: false }).addonVersion
    ).toBe('v1.20.5-eksbuild.1')
    expect(() =>
      pickAddonVersion(versions, { kubernetesVersion: '1.20', allowDowngrade: false })
    ).toThrow('EKS offers no vpc-cni add-on version for Kubernetes 1.20')
  })

  it('refuses a downgrade unless allowed', () => {
    const request = {
      requested: 'v1.18.6',
      current: 'v1.19.6-eksbuild.2',
      kubernetesVersion: '1.31'
    }
    expect(() => pickAddonVersion(versions, { ...request, allowDowngrade: false })).toThrow(
      "Input 'cni-version' is v1.18.6, which would downgrade the vpc-cni add-on from v1.19.6-eksbuild.2 to v1.18.6-eksbuild.1. Set allow-downgrade: true"
    )
    expect(pickAddonVersion(versions, { ...request, allowDowngrade: true }).addonVersion).toBe(
      'v1.18.6-eksbuild.1'
    )
  })

  it('names cni-version and lists what EKS offers when no build fits', () => {
    expect(() =>
      pickAddonVersion(versions, {
        requested: 'v1.18.6',
        kubernetesVersion: '1.33',
        allowDowngrade: false
      })
    ).toThrow(
      "Input 'cni-version' is v1.18.6, but EKS offers no vpc-cni add-on build of it for Kubernetes 1.33. Versions offered for 1.33: v1.20.5-eksbuild.1, v1.19.6-eksbuild.2, v1.19.6-eksbuild.1."
    )
  })
})
