// Bundles the action's two entry points with @vercel/ncc: dist/index.js (main) and dist/post/index.js.
// Minified, because the bundle's parse time is most of the action's cold start.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'

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
}
