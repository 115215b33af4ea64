import * as core from '@actions/core'

/** The action's pipeline. Placeholder until the action issue lands. */
export async function run(): Promise<void> {
  try {
    const name = core.getInput('cluster-name', { required: true })
    core.info(`cluster: ${name}`)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
