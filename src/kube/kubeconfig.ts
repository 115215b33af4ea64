/**
 * The kubeconfig for kubectl: built in memory from DescribeCluster and a static EKS token, and
 * written only to a private temp file (mode 0600), never to ~/.kube/config.
 */
import { randomBytes } from 'node:crypto'
import { lstat, open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import * as yaml from 'js-yaml'
import { errorMessage } from '../errors.js'

/** A kubeconfig file's content: one cluster, one user with a bearer token, one context. */
export interface KubeConfigDocument {
  apiVersion: 'v1'
  kind: 'Config'
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[]
  contexts: { name: string; context: { cluster: string; user: string } }[]
  'current-context': string
  preferences: Record<string, never>
  users: { name: string; user: { token: string } }[]
}

/** Owner read/write only: the file holds a bearer token. */
const FILE_MODE = 0o600

/**
 * Pure: the kubeconfig (one cluster, one user with a static token, one context). The cluster name names the cluster, context and user;
 * `caData` is already base64 from DescribeCluster and goes in unchanged.
 */
export function buildKubeConfig(
  cluster: { name: string; endpoint: string; caData: string },
  token: string
): KubeConfigDocument {
  const name = cluster.name
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name, cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.caData } }
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
    users: [{ name, user: { token } }]
  }
}

/** YAML text of a kubeconfig. Long lines stay unfolded so the token and CA remain one scalar. */
export function renderKubeConfig(doc: KubeConfigDocument): string {
  return yaml.dump(doc, { lineWidth: -1, noRefs: true })
}

/**
 * Writes a new file `eks-cni-kubeconfig-<random>.yaml` under `dir` (normally RUNNER_TEMP) and
 * returns its path. The file is created with mode 0600 and O_EXCL, so it is never readable by
 * others, not even between creation and a chmod, and an existing file or symlink is never reused.
 */
export async function writeKubeconfigFile(dir: string, content: string): Promise<string> {
  const path = join(dir, `eks-cni-kubeconfig-${randomBytes(8).toString('hex')}.yaml`)
  await writeNewFile(path, content, 'Failed to write the kubeconfig')
  return path
}

/**
 * Replaces the content of an existing kubeconfig (token refresh), keeping 0600. The new content
 * goes to a fresh 0600 file that is then renamed over the old one, so a kubectl reading at that
 * moment sees either the old or the new token, never a half-written file.
 */
export async function rewriteKubeconfigFile(path: string, content: string): Promise<void> {
  let stats
  try {
    stats = await lstat(path)
  } catch (error) {
    throw new Error(`Cannot refresh the kubeconfig ${path}: ${errorMessage(error)}`, {
      cause: error
    })
  }
  if (!stats.isFile()) throw new Error(`Cannot refresh the kubeconfig ${path}: not a regular file`)
  const staging = `${path}.${randomBytes(6).toString('hex')}.tmp`
  await writeNewFile(staging, content, 'Failed to refresh the kubeconfig')
  try {
    await rename(staging, path)
  } catch (error) {
    await removeKubeconfigFile(staging)
    throw new Error(`Failed to refresh the kubeconfig ${path}: ${errorMessage(error)}`, {
      cause: error
    })
  }
}

/** Deletes the kubeconfig; a file that is already gone is fine. */
export async function removeKubeconfigFile(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw new Error(`Failed to delete the kubeconfig ${path}: ${errorMessage(error)}`, {
      cause: error
    })
  }
}

/** Creates `path` exclusively with mode 0600 and writes `content`; removes it again on failure. */
async function writeNewFile(path: string, content: string, context: string): Promise<void> {
  let handle
  try {
    handle = await open(path, 'wx', FILE_MODE)
  } catch (error) {
    throw new Error(`${context} ${path}: ${errorMessage(error)}`, { cause: error })
  }
  try {
    await handle.writeFile(content, 'utf8')
    await handle.close()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await removeKubeconfigFile(path)
    throw new Error(`${context} ${path}: ${errorMessage(error)}`, { cause: error })
  }
}
