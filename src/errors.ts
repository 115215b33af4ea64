/**
 * Errors shared across modules: the message of anything thrown, errors that carry a hint for the
 * job summary, the redaction every message with foreign text passes through, and promises whose
 * rejection is handled where they are awaited.
 */

/**
 * Keeps a promise that is awaited later from counting as an unhandled rejection meanwhile: a
 * request started early whose failure the run reports where it awaits it.
 */
export function background<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

/** The message of anything thrown, for error text that crosses a module boundary. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A hint twice over: plain lines for the log, markdown for the job summary. */
export interface AuthHint {
  text: string
  markdown: string
}

/** An error whose message already holds `hint.text`; main adds `hint.markdown` to the summary. */
export class HintedError extends Error {
  constructor(
    message: string,
    readonly hint: AuthHint,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = 'HintedError'
  }
}

/** The hint carried by an error or any error in its `cause` chain. */
export function hintOf(error: unknown): AuthHint | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof HintedError) return e.hint
  }
  return undefined
}

// Three base64url segments starting with a JSON object ("{" encodes to "ey"): any JWT.
const JWT = /ey[\w-]+\.[\w-]+\.[\w-]*/g
// The EKS bearer token: the prefix and a base64url presigned STS URL.
const EKS_TOKEN = /k8s-aws-v1\.[\w-]+/g

/** Last line of defence: no JWT or EKS token passes, whatever text reaches us. */
export function redact(s: string): string {
  return s.replace(JWT, '[redacted token]').replace(EKS_TOKEN, '[redacted token]')
}
