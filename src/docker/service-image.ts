/**
 * Pinning a service's image to a digest, as the Docker client does before `service create` and
 * `service update --image` (moby client `service_create.go`: `resolveContainerSpecImage`,
 * `imageWithDigestString`, `digestWarning`): ask the daemon what the registry says about the
 * image, then send `name:tag@sha256:…` so every node runs the same image. When the registry
 * cannot be asked, the image goes as typed and the client warns, in Docker's words.
 */
import type { EngineApi, EngineServiceSpec } from '../host/engine-api.js';
import { familiarName, parseImageReference, DEFAULT_TAG } from '../host/images.js';

/** moby client `digestWarning`. */
export function digestWarning(image: string): string {
  return `image ${image} could not be accessed on a registry to record\nits digest. Each node will access ${image} independently,\npossibly leading to different nodes running different\nversions of the image.\n`;
}

/** `imageWithDigestString`: `nginx` + digest → `nginx:latest@sha256:…`; a reference with a digest stays. */
export function imageWithDigest(image: string, digest: string): string {
  let ref;
  try {
    ref = parseImageReference(image);
  } catch {
    return image;
  }
  if (ref.digest !== undefined) return image;
  return `${familiarName(ref)}:${ref.tag ?? DEFAULT_TAG}@${digest}`;
}

/** The spec with its image pinned, and the warnings to print (none when pinning worked). */
export async function resolveServiceImage(engine: EngineApi, spec: EngineServiceSpec): Promise<{ spec: EngineServiceSpec; warnings: string[] }> {
  const container = spec.TaskTemplate.ContainerSpec;
  if (!container?.Image) return { spec, warnings: [] };
  try {
    const { Descriptor } = await engine.call('distributionInspect', { image: container.Image });
    const image = imageWithDigest(container.Image, Descriptor.digest);
    return { spec: { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...container, Image: image } } }, warnings: [] };
  } catch {
    return { spec, warnings: [digestWarning(container.Image)] };
  }
}
