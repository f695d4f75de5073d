// Svelte 5 compiles TypeScript in components itself; nothing to configure.
export default {};
