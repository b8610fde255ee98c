export { defaultBundlePaths, handlers } from './bundles.js';
export {
  defaults,
  QuickstowOptionsError,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
export * from './props.js';
export { QuickstowApi } from './quickstow-api.js';
export { QuickstowStack, type QuickstowStackProps } from './stack.js';
