/**
 * JavaScript entrypoint for ace commands: registers the TypeScript loader,
 * then boots bin/console.ts. Run through npm scripts / npx so Node 24 is used.
 */
process.env.TZ = 'UTC'
await import('@poppinss/ts-exec')
await import('./bin/console.js')
