/**
 * Which runners the action supports, and the dl.k8s.io names of this runner's OS and architecture.
 * kubectl is published for linux and darwin on amd64 and arm64 (as setup-kubectl downloads it);
 * linux also has arm, ppc64le and s390x builds. Windows is refused before anything happens: the
 * action keeps its kubeconfig (which holds a bearer token) in a file only its owner may read, and
 * Node cannot give a file that protection on Windows (`chmod 0600` there only toggles read-only).
 */

/** dl.k8s.io's name for an OS, as in `/release/<v>/bin/<os>/<arch>/kubectl`. */
export type KubectlOs = 'linux' | 'darwin'

export interface KubectlPlatform {
  os: KubectlOs
  /** dl.k8s.io's name for the architecture: amd64, arm64, … */
  arch: string
}

/** Node's `os.arch()` → dl.k8s.io's architecture name. */
const ARCH_NAMES: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x'
}

/** The architectures dl.k8s.io publishes kubectl for, per OS. */
const PUBLISHED: Record<KubectlOs, readonly string[]> = {
  linux: ['amd64', 'arm64', 'arm', 'ppc64le', 's390x'],
  darwin: ['amd64', 'arm64']
}

/** The runners the README lists as supported; CI runs the first two. */
export const SUPPORTED_RUNNERS = 'Linux x64, Linux ARM64, macOS x64 and macOS ARM64'

/** kubectl's architecture name for a Node.js `os.arch()`. */
export function kubectlArch(nodeArch: string = process.arch): string {
  return ARCH_NAMES[nodeArch] ?? nodeArch
}

/**
 * Fails at once, naming the runner, on an OS the action cannot run on safely.
 *
 * @throws Error on Windows (and any OS other than Linux or macOS)
 */
export function assertSupportedRunner(nodePlatform: string = process.platform): void {
  if (nodePlatform === 'linux' || nodePlatform === 'darwin') return
  const name = nodePlatform === 'win32' ? 'Windows' : nodePlatform
  throw new Error(
    `This action does not run on ${name} runners: it keeps a kubeconfig holding an EKS bearer ` +
      'token in a file only the job may read (mode 0600), which Node cannot enforce on ' +
      `Windows. Use a ${SUPPORTED_RUNNERS} runner (e.g. runs-on: ubuntu-24.04).`
  )
}

/**
 * This runner's kubectl OS and architecture.
 *
 * @throws Error on an unsupported OS, or an architecture dl.k8s.io has no kubectl for
 */
export function kubectlPlatform(
  nodePlatform: string = process.platform,
  nodeArch: string = process.arch
): KubectlPlatform {
  assertSupportedRunner(nodePlatform)
  const os: KubectlOs = nodePlatform === 'darwin' ? 'darwin' : 'linux'
  const arch = kubectlArch(nodeArch)
  if (!PUBLISHED[os].includes(arch)) {
    throw new Error(
      `kubectl is not published for ${os}/${arch} (this runner's architecture is ${nodeArch}); ` +
        `use a ${SUPPORTED_RUNNERS} runner, or set install-kubectl: false`
    )
  }
  return { os, arch }
}
