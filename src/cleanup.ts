import * as core from '@actions/core'

/** The post step: best effort, warnings only. */
export async function post(): Promise<void> {
  core.debug('post: nothing to clean up yet')
}
