// Bundles the action's two entry points with @vercel/ncc: dist/index.js (main) and dist/post/index.js.
// Minified, because the bundle's parse time is most of the action's cold start.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { transformSync } from 'esbuild'

const ncc = 'node_modules/@vercel/ncc/dist/ncc/cli.js'
const builds = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post']
]
rmSync('dist', { recursive: true, force: true })
for (const [entry, out] of builds) {
  execFileSync(
    process.execPath,
    [ncc, 'build', entry, '-o', out, '--minify', '--license', 'licenses.txt', '--quiet'],
    { stdio: 'inherit' }
  )
  // ncc minifies the entry but leaves the chunks of dynamic import()s as they are; the heavy
  // clients live in such a chunk (loaded after the inputs are valid), so minify them too.
  for (const file of readdirSync(out).filter((f) => /^\d+\.index\.js$/.test(f))) {
    const path = join(out, file)
    const { code } = transformSync(readFileSync(path, 'utf8'), {
      minify: true,
      format: 'esm',
      target: 'node24',
      legalComments: 'none' // collected in licenses.txt by ncc
    })
    writeFileSync(path, code)
  }
}
