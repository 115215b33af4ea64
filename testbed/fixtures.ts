/**
 * Where the shared reference material lives: `../shared` beside the repository, both on the
 * developers' machines and in CI (which clones elsewhere but puts a copy of shared/ beside the
 * clone). TESTBED_SHARED_DIR overrides it.
 */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The shared/ folder. */
export const SHARED_DIR = process.env.TESTBED_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared')

/** The official VPC CNI files (manifests, regions.json, eni-max-pods.txt). */
export const VPC_CNI_FIXTURES = join(SHARED_DIR, 'fixtures', 'vpc-cni')

/** Path of one fixture file, e.g. `aws-k8s-cni-v1.19.6.yaml`. */
export function fixturePath(name: string): string {
  return join(VPC_CNI_FIXTURES, name)
}
