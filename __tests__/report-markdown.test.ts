import { describe, expect, it } from '@jest/globals'
import {
  code,
  escapeHtml,
  htmlCode,
  listSome,
  oneLine,
  shellWord,
  text
} from '../src/report/markdown.js'
import { foreignTakeovers, ownershipMarkdown, takeoverWarning } from '../src/report/ownership.js'

describe('safe markdown', () => {
  it('code() shows backticks, pipes and HTML literally, on one line', () => {
    expect(code('a`b')).toBe('``a`b``')
    expect(code('`x`')).toBe('`` `x` ``')
    expect(code('a|b')).toBe('`a\\|b`')
    expect(code('<img src=x onerror=alert(1)>')).toBe('`<img src=x onerror=alert(1)>`')
    expect(code('line1\nline2')).toBe('`line1 line2`')
    expect(code(undefined)).toBe('—')
  })

  it('text() escapes markdown punctuation and HTML', () => {
    expect(text('**bold** [x](http://e) <b>')).toBe('\\*\\*bold\\*\\* \\[x\\](http://e) &lt;b&gt;')
    expect(text('a|b\nc ~~s~~ _i_ `c`')).toBe('a\\|b c \\~\\~s\\~\\~ \\_i\\_ \\`c\\`')
    expect(text('demo-cluster.v1')).toBe('demo-cluster.v1')
    expect(text('# not a heading')).toBe('\\# not a heading')
    expect(text('- not a list')).toBe('\\- not a list')
    expect(text('1. not a list')).toBe('1\\. not a list')
    expect(text('> not a quote')).toBe('&gt; not a quote')
  })

  it('HTML helpers escape every special character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;'
    )
    expect(htmlCode('<x>\n')).toBe('<code>&lt;x&gt; </code>')
  })

  it('oneLine() removes control characters (no forged log or annotation lines)', () => {
    expect(oneLine('a\r\n::error::x\u0007')).toBe('a ::error::x ')
  })

  it('listSome() counts what it leaves off', () => {
    expect(listSome(['a', 'b'])).toBe('a, b')
    expect(listSome(['a', 'b', 'c'], 2)).toBe('a, b and 1 more')
  })

  it('shellWord() quotes anything a shell would read differently', () => {
    expect(shellWord('demo')).toBe('demo')
    expect(shellWord('ap-northeast-2')).toBe('ap-northeast-2')
    expect(shellWord('a b;rm -rf /')).toBe("'a b;rm -rf /'")
    expect(shellWord("it's")).toBe("'it'\\''s'")
  })
})

describe('ownership report', () => {
  const report = {
    installer: 'helm',
    addon: [],
    takeovers: [
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'helm',
        installer: true,
        fields: ['env WARM_ENI_TARGET']
      },
      {
        object: 'DaemonSet kube-system/aws-node',
        manager: 'argo|cd',
        installer: false,
        fields: ['env A`B']
      }
    ]
  }

  it('lists every takeover, with the installer named and values escaped', () => {
    const md = ownershipMarkdown(report, false)
    expect(md).toContain('### Field owners')
    expect(md).toContain('installed by `helm`')
    expect(md).toContain(
      '| DaemonSet kube-system/aws-node | `helm` | yes | `env WARM_ENI_TARGET` |'
    )
    expect(md).toContain('| `argo\\|cd` | **no** | ``env A`B`` |')
    expect(ownershipMarkdown({ addon: [], takeovers: [] }, false)).toBe('')
  })

  it('warns only about managers that did not install the CNI', () => {
    const foreign = foreignTakeovers(report)
    expect(foreign.map((t) => t.manager)).toEqual(['argo|cd'])
    expect(takeoverWarning(foreign[0], true)).toMatch(
      /^DaemonSet kube-system\/aws-node: a real run would take env A`B over from field manager 'argo\|cd'/
    )
  })
})
