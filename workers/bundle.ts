/**
 * Prebuilds the workflow bundle for production start (`npm run build`): workers then load
 * dist/workflow-bundle.js via WORKFLOW_BUNDLE_PATH instead of running webpack at start-up.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const WORKFLOWS_PATH = require.resolve('../workflows');

async function main() {
  const out = path.resolve(__dirname, '../dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
