import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as yaml from 'js-yaml'
import { Inputs, Outputs, REQUIRED_INPUTS } from '../src/constants.js'
import { INPUT_DEFAULTS } from '../src/settings.js'

interface ActionYaml {
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>
  outputs: Record<string, { description?: string }>
  runs: Record<string, string>
}

const action = yaml.load(readFileSync('action.yml', 'utf8')) as ActionYaml

describe('action.yml', () => {
  it('declares exactly the inputs of the Inputs enum, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Inputs).sort())
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect([name, (spec.description ?? '').length > 10]).toEqual([name, true])
    }
  })

  it('declares exactly the outputs of the Outputs enum, each described', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort())
    for (const spec of Object.values(action.outputs)) expect(spec.description).toBeTruthy()
  })

  it("has the parser's defaults and required flags", () => {
    for (const name of Object.values(Inputs)) {
      const spec = action.inputs[name]
      const required = REQUIRED_INPUTS.includes(name)
      expect([name, spec.required === true]).toEqual([name, required])
      // Required inputs have no default; every other input states its default, even ''.
      expect([name, spec.default]).toEqual([name, required ? undefined : INPUT_DEFAULTS[name]])
    }
  })

  it('runs main and an always() post step on node24', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/post/index.js',
      'post-if': 'always()'
    })
  })
})
