/**
 * The EC2 client is imported from its ES module build, `dist-es`, which its package ships beside
 * the CommonJS one but does not name in an `exports` map, so the bundler would otherwise take the
 * CommonJS file. That file defines all 760 commands and 3,400 schemas at load (about 100 ms and
 * 70 MiB at every start); as ES modules the bundle keeps only the ones the action uses. The types
 * are the package's own.
 */
declare module '@aws-sdk/client-ec2/dist-es/index.js' {
  export * from '@aws-sdk/client-ec2'
}
