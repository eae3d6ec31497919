// The package version, as a constant so every entry (browser ones included) can read it without
// touching package.json; test/package/version.test.ts keeps it equal to package.json's.
/** opgraph's version (package.json's `version`). */
export const VERSION = '0.1.0';
