/**
 * VPC CNI releases the action knows, with sha256 pins of their official manifests. The pins were
 * computed from the files at raw.githubusercontent.com/aws/amazon-vpc-cni-k8s/<tag>/config/master/,
 * so a mirror or a moved tag that serves different bytes is caught before anything is applied.
 */

/** The manifest files published per release, under config/master/ of each release tag. */
export type ManifestFile =
  | 'aws-k8s-cni.yaml'
  | 'aws-k8s-cni-cn.yaml'
  | 'aws-k8s-cni-us-gov-west-1.yaml'
  | 'aws-k8s-cni-us-gov-east-1.yaml'

// Only files whose bytes were hashed are listed; other variants of a known version stay unpinned.
const PINS: Readonly<Record<string, Readonly<Partial<Record<ManifestFile, string>>>>> = {
  'v1.23.0': {
    'aws-k8s-cni.yaml': '3a932385c0db788d8b080b8a9ea262681ed2b564bcc764f95e5b886bdf8494ab',
    'aws-k8s-cni-cn.yaml': 'be5c367fdea8bec456f21d8473fe74baba8c03ed14b72c6ca3d39b2f4748fcca',
    'aws-k8s-cni-us-gov-west-1.yaml':
      '8303efb2d3bdaee491fb63e9049fd827c401b2203958001acb2af6e896217077'
  },
  'v1.20.5': {
    'aws-k8s-cni.yaml': '2b97823abfb0e6929f9cc6694d7e3ae37449670227d5c53866ef637e1c3d5fb9'
  },
  'v1.19.6': {
    'aws-k8s-cni.yaml': 'a80f37050a3e46b072b7e6dd2f0b8ea746fad15f214dffdf558e99d51dbcf0da'
  },
  'v1.11.2': {
    'aws-k8s-cni.yaml': '716f50ddef6de1aa377a9469c9beff86ec900ec1301ee841072e1042f366355b'
  }
}

/** Versions the action knows, newest first. */
export const KNOWN_CNI_VERSIONS: readonly string[] = Object.freeze(Object.keys(PINS))

/** The default when neither the input nor the cluster names a version. */
export const LATEST_KNOWN_CNI_VERSION: string = KNOWN_CNI_VERSIONS[0]

/** `1.19.6` → `v1.19.6`; tags on GitHub always carry the `v`. */
export function normalizeCniVersion(version: string): string {
  const trimmed = version.trim()
  return trimmed.startsWith('v') ? trimmed : `v${trimmed}`
}

/** The built-in sha256 (lowercase hex) of `file` at `version`, or undefined when it is not pinned. */
export function builtInPin(version: string, file: string): string | undefined {
  const v = normalizeCniVersion(version)
  const pins: Readonly<Record<string, string>> = Object.hasOwn(PINS, v) ? PINS[v] : {}
  return Object.hasOwn(pins, file) ? pins[file] : undefined
}

/**
 * The CNI release behind an image tag or reference, e.g. `v1.19.6-eksbuild.1` or
 * `602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.6-eksbuild.1` → `v1.19.6`.
 * Returns undefined for anything else (a digest-only reference, `latest`, a release candidate),
 * so the caller decides instead of guessing a manifest.
 */
export function cniVersionFromImage(image: string): string | undefined {
  let ref = image.trim()
  const at = ref.indexOf('@')
  if (at >= 0) ref = ref.slice(0, at)
  // The tag follows the last ':' after the last '/'; a ':' before that is a registry port.
  const lastSlash = ref.lastIndexOf('/')
  const colon = ref.indexOf(':', lastSlash + 1)
  const tag = colon >= 0 ? ref.slice(colon + 1) : lastSlash < 0 ? ref : ''
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.\d+)?$/.exec(tag)
  return m ? `v${m[1]}.${m[2]}.${m[3]}` : undefined
}
