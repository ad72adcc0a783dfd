package io.batchline.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are: the build passes its root as {@code batchline.root}. */
final class Repository {

    private Repository() {
    }

    static Path root() {
        Path root = Path.of(System.getProperty("batchline.root", "..")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("deploy/k8s"))) {
            throw new IllegalStateException("no deploy/k8s under " + root + " (set -Dbatchline.root)");
        }
        return root;
    }

    static Path k8s() {
        return root().resolve("deploy/k8s");
    }
}
