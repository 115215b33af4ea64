import { assertSupportedRunner, kubectlArch, kubectlPlatform } from '../src/kubectl/platform.js'

describe('kubectlPlatform', () => {
  test.each([
    ['linux', 'x64', { os: 'linux', arch: 'amd64' }],
    ['linux', 'arm64', { os: 'linux', arch: 'arm64' }],
    ['darwin', 'x64', { os: 'darwin', arch: 'amd64' }],
    ['darwin', 'arm64', { os: 'darwin', arch: 'arm64' }],
    ['linux', 'ppc64', { os: 'linux', arch: 'ppc64le' }]
  ])('%s/%s → %j', (platform, arch, expected) => {
    expect(kubectlPlatform(platform, arch)).toEqual(expected)
  })

  it('refuses an architecture dl.k8s.io has no kubectl for', () => {
    expect(() => kubectlPlatform('darwin', 'arm')).toThrow(
      'kubectl is not published for darwin/arm (this runner'
    )
    expect(() => kubectlPlatform('linux', 'mips')).toThrow(
      'kubectl is not published for linux/mips'
    )
  })

  it('maps Node architectures to kubectl ones', () => {
    expect(kubectlArch('x64')).toBe('amd64')
    expect(kubectlArch('s390x')).toBe('s390x')
  })
})

describe('assertSupportedRunner', () => {
  it('accepts Linux and macOS', () => {
    expect(() => assertSupportedRunner('linux')).not.toThrow()
    expect(() => assertSupportedRunner('darwin')).not.toThrow()
  })

  it('refuses Windows with the reason and what to use instead', () => {
    expect(() => assertSupportedRunner('win32')).toThrow(
      /^This action does not run on Windows runners: it keeps a kubeconfig .* \(mode 0600\).* runs-on: ubuntu-24\.04/
    )
    expect(() => kubectlPlatform('win32', 'x64')).toThrow('does not run on Windows runners')
  })

  it('refuses other systems by name', () => {
    expect(() => assertSupportedRunner('freebsd')).toThrow('does not run on freebsd runners')
  })
})
