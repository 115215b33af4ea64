/** The message of anything thrown, for error text that crosses a module boundary. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
