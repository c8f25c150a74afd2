import { spawnSync } from 'node:child_process';

/** DynamoDB Local is a Java program; say plainly what to install when there is no Java. */
export function javaMissingMessage(): string | undefined {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (result.error === undefined && result.status === 0) return undefined;
  return 'Playhead needs a Java runtime for DynamoDB Local: install one (e.g. `apt-get install default-jre-headless` or `brew install openjdk`) and run `npm start` again.';
}
