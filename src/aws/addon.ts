/**
 * The EKS add-on calls of the vpc-cni add-on path: read the add-on, its version's schema and the
 * versions on offer; update or create it (the waits are in addon-wait.ts). The client is
 * injected and retries as the SDK's standard strategy does; writes carry a clientRequestToken so
 * a retried write is the same request to EKS.
 */
import { randomUUID } from 'node:crypto'
import {
  CreateAddonCommand,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  type EKSClient,
  UpdateAddonCommand,
  paginateDescribeAddonVersions
} from '@aws-sdk/client-eks'
import { errorMessage } from '../errors.js'
import { VPC_CNI_ADDON, type ResolveConflicts } from '../addon/names.js'
import { type AddonVersionInfo, addonVersionsFrom } from '../addon/versions.js'
import { awsErrorCode } from './retryable.js'

type Eks = Pick<EKSClient, 'send'>

/** The add-on as DescribeAddon shows it; `present: false` is ResourceNotFoundException. */
export type AddonState =
  | { present: false }
  | {
      present: true
      status: string
      version: string
      /** The configurationValues string as stored (JSON or YAML), '' when none. */
      configurationValues: string
      modifiedAt?: Date
      /** health.issues as `code: message (resources)` lines. */
      issues: string[]
    }

/** Wraps an AWS error with the call, the cluster and (for access errors) the IAM action. */
export function explain(error: unknown, action: string, clusterName: string): Error {
  const code = awsErrorCode(error)
  if (code === 'AccessDeniedException' || code === 'AccessDenied') {
    return new Error(
      `Not allowed to call ${action} on EKS cluster '${clusterName}': the credentials need ` +
        `${action} (${errorMessage(error)})`,
      { cause: error }
    )
  }
  return new Error(`${action} failed for EKS cluster '${clusterName}': ${errorMessage(error)}`, {
    cause: error
  })
}

/** DescribeAddon(vpc-cni). Runs in parallel with DescribeCluster. */
export async function describeVpcCniAddon(eks: Eks, clusterName: string): Promise<AddonState> {
  let response
  try {
    response = await eks.send(new DescribeAddonCommand({ clusterName, addonName: VPC_CNI_ADDON }))
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceNotFoundException') return { present: false }
    throw explain(error, 'eks:DescribeAddon', clusterName)
  }
  const addon = response.addon
  if (!addon) throw new Error(`eks:DescribeAddon for '${clusterName}' returned no add-on`)
  return {
    present: true,
    status: addon.status ?? 'UNKNOWN',
    version: addon.addonVersion ?? '',
    configurationValues: addon.configurationValues ?? '',
    modifiedAt: addon.modifiedAt,
    issues: (addon.health?.issues ?? []).map(
      (i) =>
        `${i.code ?? 'Unknown'}: ${i.message ?? ''}` +
        (i.resourceIds?.length ? ` (${i.resourceIds.join(', ')})` : '')
    )
  }
}

/** DescribeAddonConfiguration: the JSON schema (draft-06) of one add-on version, as text. */
export async function describeAddonSchema(
  eks: Eks,
  clusterName: string,
  addonVersion: string
): Promise<string> {
  try {
    const response = await eks.send(
      new DescribeAddonConfigurationCommand({ addonName: VPC_CNI_ADDON, addonVersion })
    )
    if (!response.configurationSchema) {
      throw new Error(`add-on version ${addonVersion} has no configuration schema`)
    }
    return response.configurationSchema
  } catch (error) {
    throw explain(error, 'eks:DescribeAddonConfiguration', clusterName)
  }
}

/** DescribeAddonVersions(vpc-cni, kubernetesVersion), every page. */
export async function listAddonVersions(
  eks: EKSClient,
  clusterName: string,
  kubernetesVersion: string
): Promise<AddonVersionInfo[]> {
  try {
    const addons = []
    const pages = paginateDescribeAddonVersions(
      { client: eks },
      { addonName: VPC_CNI_ADDON, kubernetesVersion }
    )
    for await (const page of pages) addons.push(...(page.addons ?? []))
    return addonVersionsFrom(addons)
  } catch (error) {
    throw explain(error, 'eks:DescribeAddonVersions', clusterName)
  }
}

/** What an update or create asks for. */
export interface AddonWrite {
  clusterName: string
  /** The merged values, serialized; undefined leaves them as they are. */
  configurationValues?: string
  /** undefined keeps the add-on's version (update) or takes EKS's default (create). */
  addonVersion?: string
  resolveConflicts: ResolveConflicts
}

/** The fields UpdateAddon and CreateAddon both take, for the vpc-cni add-on. */
function writeInput(write: AddonWrite, token: string) {
  return {
    clusterName: write.clusterName,
    addonName: VPC_CNI_ADDON,
    addonVersion: write.addonVersion,
    configurationValues: write.configurationValues,
    resolveConflicts: write.resolveConflicts,
    clientRequestToken: token
  }
}

/** UpdateAddon; returns the update's id. */
export async function updateVpcCniAddon(
  eks: Eks,
  write: AddonWrite,
  token: string = randomUUID()
): Promise<string> {
  try {
    const response = await eks.send(new UpdateAddonCommand(writeInput(write, token)))
    const id = response.update?.id
    if (!id) throw new Error('the answer has no update id')
    return id
  } catch (error) {
    throw explain(error, 'eks:UpdateAddon', write.clusterName)
  }
}

/** CreateAddon; the add-on starts CREATING. */
export async function createVpcCniAddon(
  eks: Eks,
  write: AddonWrite,
  token: string = randomUUID()
): Promise<void> {
  try {
    await eks.send(new CreateAddonCommand(writeInput(write, token)))
  } catch (error) {
    throw explain(error, 'eks:CreateAddon', write.clusterName)
  }
}
