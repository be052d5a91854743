// Copies the compiled GOV.UK Frontend and MoJ Frontend files from node_modules into
// shared/static, which the app serves at /assets (the path their CSS expects).
// Run by `npm ci` (postinstall); nothing copied here is committed.
const fs = require('fs')
const path = require('path')

// Node.js 22 LTS, installed by npm as the `node` devDependency: npm puts node_modules/.bin
// first on its scripts' PATH, so this runs under it and not the machine's older node.
if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(`Node.js ${process.version} runs this; 22 or later is needed (npm ci installs it as a devDependency)`)
  process.exit(1)
}

const root = path.resolve(__dirname, '..')
const out = path.join(root, 'shared', 'static')
const govuk = path.join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const moj = path.join(root, 'node_modules', '@ministryofjustice', 'frontend', 'moj')

function copy (from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.cpSync(from, to, { recursive: true })
}

for (const dir of ['fonts', 'images', 'vendor']) {
  fs.rmSync(path.join(out, dir), { recursive: true, force: true })
}
copy(path.join(govuk, 'assets', 'fonts'), path.join(out, 'fonts'))
copy(path.join(govuk, 'assets', 'images'), path.join(out, 'images'))
copy(path.join(govuk, 'assets', 'manifest.json'), path.join(out, 'manifest.json'))
copy(path.join(moj, 'assets', 'images'), path.join(out, 'images'))
for (const file of ['govuk-frontend.min.css', 'govuk-frontend.min.js']) {
  copy(path.join(govuk, file), path.join(out, 'vendor', file))
}
for (const file of ['moj-frontend.min.css', 'moj-frontend.min.js']) {
  copy(path.join(moj, file), path.join(out, 'vendor', file))
}
console.log(`Copied GOV.UK Frontend and MoJ Frontend assets to shared/static (Node.js ${process.version})`)
