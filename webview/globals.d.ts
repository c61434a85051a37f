/** CSS imported from TypeScript: esbuild bundles it into dist/webview/<panel>.css. */
declare module '*.css' {}
