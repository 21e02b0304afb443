// podlab image build-busybox [TAG]: images for docker pods, built offline (podlab never pulls).
import type { Argv, CommandModule } from 'yargs';
import {
  connectEngine, buildBusyboxImage, buildPauseImage, EngineError, BusyboxError, BUSYBOX_IMAGE, PAUSE_IMAGE, DEFAULT_BUSYBOX, type BuiltImage,
} from '../../workload/docker/index.js';

interface BuildArgs {
  tag: string;
  pause: boolean;
  'pause-tag': string;
  busybox: string;
  json: boolean;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const line = (b: BuiltImage, what: string) => `built ${b.tag} (${b.id.slice(0, 19)}, ${mb(b.size)}) ${what} in ${(b.ms / 1000).toFixed(2)}s`;

const buildBusybox: CommandModule<object, BuildArgs> = {
  command: 'build-busybox [tag]',
  describe: 'build a small busybox image offline from this host\'s busybox-static, and the pod sandbox (pause) image',
  builder: (y) => (y as Argv)
    .positional('tag', { type: 'string', default: BUSYBOX_IMAGE, describe: 'name:tag of the image' })
    .option('pause', { type: 'boolean', default: true, describe: 'also build the pause image the pod sandboxes run (--no-pause: only TAG)' })
    .option('pause-tag', { type: 'string', default: PAUSE_IMAGE, describe: 'name:tag of the pause image' })
    .option('busybox', { type: 'string', default: DEFAULT_BUSYBOX, describe: 'the static busybox to build from (Debian busybox-static installs /bin/busybox)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the built images as JSON' })
    .example('$0 image build-busybox', `${BUSYBOX_IMAGE} and ${PAUSE_IMAGE}`)
    .example('$0 image build-busybox lab/tools:1 --no-pause', 'only lab/tools:1')
    .epilog([
      'The image is a root filesystem made in memory and imported into the local engine as one layer (docker import): ' +
        '/bin/busybox with a link for each of its applets (sh, wget, nc, httpd, ip, ping, nslookup, …) where they usually live, ' +
        '/etc/passwd and group (root, daemon, www-data, nobody), /etc/hosts and a sticky /tmp; PATH is set and CMD is sh. ' +
        'The pause image holds busybox alone and sleeps as PID 1 until SIGTERM: it holds each pod\'s network namespace.',
      'Nothing is pulled and no registry is needed. Other images come from `docker load -i FILE.tar` (a `docker save` from a ' +
        'machine that has them) or `docker import ROOTFS.tar NAME:TAG`.',
      'The engine is DOCKER_HOST (a unix socket) or /var/run/docker.sock. To start one that leaves this host\'s firewall and ' +
        'sysctls alone: eval "$(scripts/dockerd.sh start)" (README, "Docker runtime").',
      'Exit codes: 0 built · 1 the engine refused · 3 no engine, or no static busybox.',
    ].join('\n\n')) as unknown as Argv<BuildArgs>,
  handler: async (a) => {
    try {
      const engine = await connectEngine();
      const built = [await buildBusyboxImage(engine, a.tag, { busybox: a.busybox })];
      if (a.pause) built.push(await buildPauseImage(engine, a['pause-tag'], { busybox: a.busybox }));
      if (a.json) {
        process.stdout.write(JSON.stringify({ engine: engine.host, images: built }, null, 2) + '\n');
        return;
      }
      const bb = built[0]!.busybox;
      process.stdout.write(line(built[0]!, `from ${bb.path} (busybox ${bb.version}, ${bb.applets} applets)`) + '\n');
      if (built[1]) process.stdout.write(line(built[1], '(the pod sandbox image)') + '\n');
      process.stdout.write(`in the engine at ${engine.host}; try: docker run --rm --network none ${a.tag} busybox | head -1\n`);
    } catch (e) {
      process.stderr.write(`podlab: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(e instanceof EngineError || e instanceof BusyboxError ? 3 : 1);
    }
  },
};

export const imageCommand: CommandModule = {
  command: 'image',
  describe: 'images for docker pods, built offline from this host (podlab never pulls): build-busybox',
  builder: (y: Argv) => y.command(buildBusybox as unknown as CommandModule).demandCommand(1, 'name an image command: build-busybox'),
  handler: () => {},
};
