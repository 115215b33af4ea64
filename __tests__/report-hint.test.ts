import { renderHint } from '../src/report/hint.js'

describe('renderHint', () => {
  const doc = {
    title: 'No access',
    parts: [
      { line: ['Caller ', { code: 'arn:x' }, ' was refused'] },
      { list: ['one', ['two ', { code: 'cmd' }]] },
      { block: ['aws eks a', 'aws eks b'], lang: 'sh' },
      { block: ['{', '}'], lang: 'json', raw: true }
    ]
  }

  it('writes each part once: plain lines for the log, markdown for the summary', () => {
    const h = renderHint(doc, (s) => s)
    expect(h.text).toBe(
      [
        'Caller arn:x was refused',
        '- one',
        '- two cmd',
        '  aws eks a',
        '  aws eks b',
        '{',
        '}'
      ].join('\n')
    )
    expect(h.markdown).toBe(
      [
        '### No access',
        '',
        'Caller `arn:x` was refused',
        '',
        '- one',
        '- two `cmd`',
        '',
        '```sh',
        'aws eks a',
        'aws eks b',
        '```',
        '',
        '```json',
        '{',
        '}',
        '```',
        ''
      ].join('\n')
    )
  })

  it('passes both renderings through the redaction', () => {
    const h = renderHint(doc, (s) => s.replace(/arn:x/g, '[x]'))
    expect(h.text).toContain('Caller [x] was refused')
    expect(h.markdown).toContain('Caller `[x]` was refused')
  })
})
