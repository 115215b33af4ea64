/**
 * Typed stand-ins for @actions/core, for `jest.unstable_mockModule('@actions/core', () => core)`
 * followed by `await import('../src/…')`. One jest.fn per function; `summary` is a chainable fake
 * that keeps the text it was given in `summary.text`.
 */
import { jest } from '@jest/globals'
import type * as core from '@actions/core'

/** Not exported by @actions/core 3, so taken from addTable's signature. */
type SummaryTableRow = Parameters<typeof core.summary.addTable>[0][number]

export const getInput = jest.fn<typeof core.getInput>()
export const getBooleanInput = jest.fn<typeof core.getBooleanInput>()
export const getMultilineInput = jest.fn<typeof core.getMultilineInput>()
export const setSecret = jest.fn<typeof core.setSecret>()
export const setOutput = jest.fn<typeof core.setOutput>()
export const setFailed = jest.fn<typeof core.setFailed>()
export const info = jest.fn<typeof core.info>()
export const warning = jest.fn<typeof core.warning>()
export const error = jest.fn<typeof core.error>()
export const debug = jest.fn<typeof core.debug>()
export const notice = jest.fn<typeof core.notice>()
export const isDebug = jest.fn<typeof core.isDebug>(() => false)
export const startGroup = jest.fn<typeof core.startGroup>()
export const endGroup = jest.fn<typeof core.endGroup>()
export const group = jest.fn(<T>(_name: string, fn: () => Promise<T>): Promise<T> => fn())
export const saveState = jest.fn<typeof core.saveState>()
export const getState = jest.fn<typeof core.getState>(() => '')
export const exportVariable = jest.fn<typeof core.exportVariable>()
export const addPath = jest.fn<typeof core.addPath>()
export const getIDToken = jest.fn<typeof core.getIDToken>()

/** The part of core.summary the action uses; every add* returns the fake so calls chain. */
export interface FakeSummary {
  text: string
  addHeading: jest.Mock<(text: string, level?: number | string) => FakeSummary>
  addRaw: jest.Mock<(text: string, addEOL?: boolean) => FakeSummary>
  addEOL: jest.Mock<() => FakeSummary>
  addTable: jest.Mock<(rows: SummaryTableRow[]) => FakeSummary>
  addList: jest.Mock<(items: string[], ordered?: boolean) => FakeSummary>
  addCodeBlock: jest.Mock<(code: string, lang?: string) => FakeSummary>
  addDetails: jest.Mock<(label: string, content: string) => FakeSummary>
  addSeparator: jest.Mock<() => FakeSummary>
  write: jest.Mock<() => Promise<FakeSummary>>
  emptyBuffer: jest.Mock<() => FakeSummary>
  stringify: jest.Mock<() => string>
}

function fakeSummary(): FakeSummary {
  const s = { text: '' } as FakeSummary
  const add = (text: string): FakeSummary => {
    s.text += text
    return s
  }
  s.addHeading = jest.fn((text: string) => add(`# ${text}\n`))
  s.addRaw = jest.fn((text: string, addEOL?: boolean) => add(addEOL ? `${text}\n` : text))
  s.addEOL = jest.fn(() => add('\n'))
  s.addTable = jest.fn((rows: SummaryTableRow[]) => add(`${JSON.stringify(rows)}\n`))
  s.addList = jest.fn((items: string[]) => add(items.map((i) => `- ${i}\n`).join('')))
  s.addCodeBlock = jest.fn((code: string) => add(`${code}\n`))
  s.addDetails = jest.fn((label: string, content: string) => add(`${label}: ${content}\n`))
  s.addSeparator = jest.fn(() => add('---\n'))
  s.write = jest.fn(async () => s)
  s.emptyBuffer = jest.fn(() => {
    s.text = ''
    return s
  })
  s.stringify = jest.fn(() => s.text)
  return s
}

export const summary = fakeSummary()
