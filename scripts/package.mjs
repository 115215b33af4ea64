// Bundles the action's two entry points with @vercel/ncc: dist/index.js (main) and dist/post/index.js.
// Minified, because the bundle's parse time is most of the action's cold start.
//
// `--transpile-only` (used by `npm test`, right after `tsc --noEmit` has type-checked everything)
// skips ncc's own type-check pass, about half of its time. ncc hands the nearest tsconfig.json to
// ts-loader; in transpile-only mode TypeScript cannot see package.json's "type": "module" for a
// .ts file, so with the root's `module: NodeNext` it would emit CommonJS requires that
// @actions/core's import-only exports refuse. A tsconfig beside the entry points, present only for
// the build, asks for ES modules instead; the bundle comes out byte for byte the same.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const ncc = 'node_modules/@vercel/ncc/dist/ncc/cli.js'
const builds = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post']
]
const transpileOnly = process.argv.includes('--transpile-only')
const buildTsconfig = 'src/tsconfig.json'
rmSync('dist', { recursive: true, force: true })
if (transpileOnly) {
  const config = {
    extends: '../tsconfig.json',
    compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' }
  }
  writeFileSync(buildTsconfig, `${JSON.stringify(config, null, 2)}\n`)
}
try {
  for (const [entry, out] of builds) await build(entry, out)
} finally {
  if (transpileOnly) rmSync(buildTsconfig, { force: true })
}

async function build(entry, out) {
  const flags = ['--minify', '--license', 'licenses.txt', '--quiet']
  if (transpileOnly) flags.push('--transpile-only')
  execFileSync(process.execPath, [ncc, 'build', entry, '-o', out, ...flags], { stdio: 'inherit' })
  // ncc minifies the entry but leaves the chunks of dynamic import()s as they are; the clients
  // live in such chunks (loaded after the inputs are valid), so minify them too. terser, like ncc
  // for the entry, also drops what nothing uses: most of the EC2 client's 3,400 schemas, which
  // would otherwise be compiled and built at every start.
  for (const file of readdirSync(out).filter((f) => /^\d+\.index\.js$/.test(f))) {
    const path = join(out, file)
    const { code } = await minify(readFileSync(path, 'utf8'), {
      module: true,
      compress: true,
      mangle: true,
      format: { comments: false } // licenses are collected in licenses.txt by ncc
    })
    writeFileSync(path, code)
  }
}
