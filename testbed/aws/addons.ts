/**
 * The add-on state of the test bed's EKS: add-ons per cluster and their updates. Writes are
 * asynchronous as in EKS: CreateAddon answers CREATING, UpdateAddon answers an InProgress update
 * and the add-on turns UPDATING; after `delayMs` the add-on manager reconciles the cluster and the
 * update turns Successful (add-on ACTIVE) or Failed with the manager's errors (add-on
 * UPDATE_FAILED; a failed create is CREATE_FAILED). Only one change runs at a time per add-on.
 * Message texts marked "observed" are EKS's own; the others are the test bed's wording.
 */
import { randomUUID } from 'node:crypto'
import { ChangeScheduler } from './addon-scheduler.js'
import { validateConfigurationValues, type ConfigValues } from './addon-config.js'
import type { ResolveConflicts } from './addon-manager.js'
import { loadManifest, renderAddon, type Obj } from './addon-render.js'
import {
  VPC_CNI,
  defaultVersion,
  findVersion,
  schemaText,
  type AddonVersion
} from './addon-schemas.js'
import { inUse, invalidParameter, notFound } from './addon-api.js'
import type { Addon, AddonRequest, AddonStoreOptions, ClusterFacts, Update } from './addon-types.js'

const BUSY = ['CREATING', 'UPDATING', 'DELETING']
const now = (): number => Date.now() / 1000

export class AddonStore {
  private readonly addons = new Map<string, Addon>()
  private readonly updates = new Map<string, Update>()
  /** When changes run; `pause()`/`resume()` hold them in progress, `settled()` waits for them. */
  readonly changes: ChangeScheduler

  constructor(readonly options: AddonStoreOptions) {
    this.changes = new ChangeScheduler(options.delayMs)
  }

  private facts(clusterName: string): ClusterFacts {
    const facts = this.options.cluster(clusterName)
    // observed: EKS's text for a missing cluster
    if (!facts) throw notFound(`No cluster found for name: ${clusterName}.`, { clusterName })
    return facts
  }

  private get(clusterName: string, addonName: string): Addon {
    this.facts(clusterName)
    const addon = this.addons.get(`${clusterName}/${addonName}`)
    // observed: EKS's text for a missing add-on
    if (!addon)
      throw notFound(`No addon: ${addonName} found in cluster: ${clusterName}`, {
        clusterName,
        addonName
      })
    return addon
  }

  private version(
    addonName: string,
    requested: string | undefined,
    facts: ClusterFacts
  ): AddonVersion {
    const v = requested
      ? findVersion(addonName, requested)
      : addonName === VPC_CNI
        ? defaultVersion(facts.kubernetesVersion)
        : undefined
    if (!v || !v.manifestTag || !v.clusterVersions.includes(facts.kubernetesVersion)) {
      throw invalidParameter(
        `Addon version ${requested ?? '(default)'} is not supported for ${addonName} on Kubernetes ${facts.kubernetesVersion}`,
        { addonName }
      )
    }
    return v
  }

  private resolveMode(value: string | undefined, fallback: ResolveConflicts): ResolveConflicts {
    if (value === undefined) return fallback
    if (value === 'NONE' || value === 'OVERWRITE' || value === 'PRESERVE') return value
    throw invalidParameter(`resolveConflicts must be one of NONE, OVERWRITE, PRESERVE`)
  }

  private render(addon: Addon, version: AddonVersion, values: ConfigValues): Obj[] {
    const facts = this.facts(addon.clusterName)
    return renderAddon(loadManifest(this.options.manifestPath(version.manifestTag!)), {
      addonVersion: version.addonVersion,
      values,
      ipFamily: facts.ipFamily
    })
  }

  view(a: Addon): Record<string, unknown> {
    const out: Record<string, unknown> = {
      addonName: a.addonName,
      clusterName: a.clusterName,
      status: a.status,
      addonVersion: a.addonVersion,
      health: { issues: a.issues },
      addonArn: a.addonArn,
      createdAt: a.createdAt,
      modifiedAt: a.modifiedAt,
      tags: a.tags,
      podIdentityAssociations: []
    }
    if (a.serviceAccountRoleArn) out.serviceAccountRoleArn = a.serviceAccountRoleArn
    if (a.configurationValues) out.configurationValues = a.configurationValues
    return out
  }

  list(clusterName: string): Record<string, unknown> {
    this.facts(clusterName)
    const names = [...this.addons.values()]
      .filter((a) => a.clusterName === clusterName)
      .map((a) => a.addonName)
    return { addons: names }
  }

  describe(clusterName: string, addonName: string): Record<string, unknown> {
    return { addon: this.view(this.get(clusterName, addonName)) }
  }

  create(clusterName: string, req: AddonRequest): Record<string, unknown> {
    const facts = this.facts(clusterName)
    const addonName = req.addonName ?? ''
    if (addonName !== VPC_CNI)
      throw invalidParameter(`Addon ${addonName} specified is not supported`, { addonName })
    // observed: EKS's text for a second CreateAddon
    if (this.addons.has(`${clusterName}/${addonName}`))
      throw inUse('Addon already exists.', { clusterName, addonName })
    const version = this.version(addonName, req.addonVersion, facts)
    const values = validateConfigurationValues(req.configurationValues, schemaText(version))
    const mode = this.resolveMode(req.resolveConflicts, 'NONE')
    const t = now()
    const addon: Addon = {
      addonName,
      clusterName,
      status: 'CREATING',
      addonVersion: version.addonVersion,
      addonArn: `arn:aws:eks:${this.options.region}:${this.options.accountId()}:addon/${clusterName}/${addonName}/${randomUUID()}`,
      createdAt: t,
      modifiedAt: t,
      serviceAccountRoleArn: req.serviceAccountRoleArn,
      tags: req.tags ?? {},
      configurationValues: req.configurationValues || undefined,
      values,
      issues: [],
      eniConfigs: []
    }
    this.addons.set(`${clusterName}/${addonName}`, addon)
    this.changes.later(
      async () => {
        const objects = this.render(addon, version, values)
        const result = await this.options.manager().reconcile(objects, mode)
        if (result.ok) {
          addon.status = 'ACTIVE'
          addon.eniConfigs = eniConfigNames(objects)
        } else {
          addon.status = 'CREATE_FAILED'
          addon.issues = [
            {
              code: issueCode(result.errorCode),
              message: result.message,
              resourceIds: result.resourceIds
            }
          ]
        }
        addon.modifiedAt = now()
      },
      (message) => {
        addon.status = 'CREATE_FAILED'
        addon.issues = [{ code: 'ClusterUnreachable', message, resourceIds: [] }]
      }
    )
    return { addon: this.view(addon) }
  }

  update(clusterName: string, addonName: string, req: AddonRequest): Record<string, unknown> {
    const addon = this.get(clusterName, addonName)
    const facts = this.facts(clusterName)
    if (BUSY.includes(addon.status)) {
      throw inUse(`Addon ${addonName} is in ${addon.status} state and cannot be updated`, {
        clusterName,
        addonName
      })
    }
    const version = this.version(addonName, req.addonVersion ?? addon.addonVersion, facts)
    const text = req.configurationValues ?? addon.configurationValues
    const values = validateConfigurationValues(text, schemaText(version))
    const mode = this.resolveMode(req.resolveConflicts, 'NONE')
    const params: { type: string; value: string }[] = []
    if (req.addonVersion) params.push({ type: 'AddonVersion', value: req.addonVersion })
    if (req.resolveConflicts) params.push({ type: 'ResolveConflicts', value: req.resolveConflicts })
    if (req.configurationValues !== undefined)
      params.push({ type: 'ConfigurationValues', value: req.configurationValues })
    if (req.serviceAccountRoleArn)
      params.push({ type: 'ServiceAccountRoleArn', value: req.serviceAccountRoleArn })
    const update: Update = {
      clusterName,
      addonName,
      body: {
        id: randomUUID(),
        status: 'InProgress',
        type: 'AddonUpdate',
        params,
        createdAt: now(),
        errors: []
      }
    }
    this.updates.set(update.body.id, update)
    addon.status = 'UPDATING'
    this.changes.later(
      async () => {
        const objects = this.render(addon, version, values)
        const result = await this.options.manager().reconcile(objects, mode, addon.eniConfigs)
        if (result.ok) {
          addon.addonVersion = version.addonVersion
          addon.configurationValues = text || undefined
          addon.values = values
          if (req.serviceAccountRoleArn) addon.serviceAccountRoleArn = req.serviceAccountRoleArn
          addon.eniConfigs = eniConfigNames(objects)
          addon.issues = []
          addon.status = 'ACTIVE'
          update.body.status = 'Successful'
        } else {
          const { errorCode, message, resourceIds } = result
          addon.issues = [{ code: issueCode(errorCode), message, resourceIds }]
          addon.status = 'UPDATE_FAILED'
          update.body.status = 'Failed'
          update.body.errors = [{ errorCode, errorMessage: message, resourceIds }]
        }
        addon.modifiedAt = now()
      },
      (message) => {
        addon.status = 'UPDATE_FAILED'
        update.body.status = 'Failed'
        update.body.errors = [
          { errorCode: 'ClusterUnreachable', errorMessage: message, resourceIds: [] }
        ]
      }
    )
    return { update: update.body }
  }

  /** ListUpdates for an add-on: its update ids, newest first. */
  listUpdates(clusterName: string, addonName: string): string[] {
    this.get(clusterName, addonName)
    return [...this.updates.values()]
      .filter((u) => u.clusterName === clusterName && u.addonName === addonName)
      .map((u) => u.body.id)
      .reverse()
  }

  /** An add-on update, or undefined for ids this store did not issue (moto's cluster updates). */
  describeUpdate(
    clusterName: string,
    id: string,
    addonName: string | undefined
  ): Record<string, unknown> | undefined {
    const update = this.updates.get(id)
    if (!update || update.clusterName !== clusterName) return undefined
    if (addonName !== undefined && addonName !== update.addonName) {
      throw notFound(`No update found for ID: ${id}`, { clusterName, addonName })
    }
    return { update: update.body }
  }

  delete(clusterName: string, addonName: string, preserve: boolean): Record<string, unknown> {
    const addon = this.get(clusterName, addonName)
    if (addon.status === 'DELETING') return { addon: this.view(addon) }
    const version = findVersion(addonName, addon.addonVersion)
    addon.status = 'DELETING'
    this.changes.later(
      async () => {
        if (!preserve && version?.manifestTag)
          await this.options.manager().remove(this.render(addon, version, addon.values))
        this.addons.delete(`${clusterName}/${addonName}`)
      },
      (message) => {
        addon.status = 'DELETE_FAILED'
        addon.issues = [{ code: 'ClusterUnreachable', message, resourceIds: [] }]
      }
    )
    return { addon: this.view(addon) }
  }
}

/** An update error code as a health issue code (that enum has InternalFailure, not Unknown). */
function issueCode(errorCode: string): string {
  return errorCode === 'Unknown' ? 'InternalFailure' : errorCode
}

function eniConfigNames(objects: Obj[]): string[] {
  return objects.filter((o) => o.kind === 'ENIConfig').map((o) => String((o.metadata as Obj).name))
}
