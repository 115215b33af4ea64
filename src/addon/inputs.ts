/**
 * Parsers for the inputs the add-on path adds (`mode`, `resolve-conflicts`; the booleans
 * `take-over-addon-fields` and `allow-downgrade` use parseBoolean). They follow the shape of
 * inputs-parse.ts so getInputs can call them with the input's name and raw value.
 */
import { Inputs } from '../constants.js'
import { INPUT_DEFAULTS } from '../settings.js'
import { InputError } from '../inputs-parse.js'
import { MODES, type ModeInput, RESOLVE_CONFLICTS, type ResolveConflicts } from './names.js'

/** `auto | addon | self-managed` (case-insensitive); empty means auto. */
export function parseMode(input: string, raw: string): ModeInput {
  const value = raw.trim().toLowerCase() || INPUT_DEFAULTS[Inputs.Mode]
  if ((MODES as readonly string[]).includes(value)) return value as ModeInput
  throw new InputError(input, raw, MODES.join(', '))
}

/** `OVERWRITE | PRESERVE | NONE` (case-insensitive); empty means OVERWRITE. */
export function parseResolveConflicts(input: string, raw: string): ResolveConflicts {
  const value = raw.trim().toUpperCase() || INPUT_DEFAULTS[Inputs.ResolveConflicts]
  if ((RESOLVE_CONFLICTS as readonly string[]).includes(value)) return value as ResolveConflicts
  throw new InputError(input, raw, RESOLVE_CONFLICTS.join(', '))
}
