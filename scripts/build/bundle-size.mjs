import { build } from 'esbuild';
const r = await build({ entryPoints: [process.argv[2]], bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, logLevel: 'silent' }).catch(e => { console.log(e.errors.map(x=>x.text+' '+(x.location?.file??'')).join('\n')); process.exit(1); });
const { gzipSync } = await import('node:zlib');
const out = r.outputFiles[0].contents;
console.log('bytes', out.length, 'gz', gzipSync(out).length);
console.log(Object.keys(r.metafile.inputs).join('\n'));
