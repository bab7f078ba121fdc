/**
 * swarmnet's built-in registry: what `GET /distribution/{name}/json` answers for the images it can
 * run (alpine, busybox, nginx) — a manifest digest and the platform — so the Docker client pins a
 * service's image to a digest as it would against Docker Hub.
 */
import { EngineApiError, type EngineResult } from './engine-api.js';
import { engineArchitecture } from './engine-convert.js';
import { ImageNotFoundError, InvalidReferenceError, manifestDigest, resolveImage } from './images.js';

/**
 * `GET /distribution/{name}/json` against swarmnet's built-in registry (the images it can run):
 * the manifest digest and platform a registry would report; an image it does not have is refused
 * as a registry refuses an unknown repository.
 */
export function distributionInspect(reference: string): EngineResult<'distributionInspect'> {
  try {
    const { image } = resolveImage(reference);
    return {
      Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: manifestDigest(image), size: 10_229 },
      Platforms: [{ architecture: engineArchitecture(), os: 'linux' }],
    };
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new EngineApiError(error.message, 400);
    if (error instanceof ImageNotFoundError) throw new EngineApiError(`errors:\ndenied: requested access to the resource is denied\nunauthorized: authentication required\n`, 401);
    throw error;
  }
}
