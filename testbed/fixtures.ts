/**
 * Where the official VPC CNI files live: `testbed/fixtures/vpc-cni/` in this repository (copied
 * unchanged from aws/amazon-vpc-cni-k8s; see the NOTICE there). VPC_CNI_FIXTURES points the tests
 * and the test bed at another folder of the same layout, e.g. to try a newer release.
 */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The official VPC CNI files (manifests, regions.json, eni-max-pods.txt). */
export const VPC_CNI_FIXTURES = process.env.VPC_CNI_FIXTURES
  ? resolve(process.env.VPC_CNI_FIXTURES)
  : join(REPO_ROOT, 'testbed', 'fixtures', 'vpc-cni')

/** Path of one fixture file, e.g. `aws-k8s-cni-v1.19.6.yaml`. */
export function fixturePath(name: string): string {
  return join(VPC_CNI_FIXTURES, name)
}
