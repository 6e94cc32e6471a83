package io.trawl.pipeline.filex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StagedFilesTest {
    @TempDir
    Path temp;

    private List<Path> files(final int n) throws IOException {
        final List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Files.writeString(temp.resolve("f" + i), "x".repeat(i)));
        }
        return out;
    }

    @Test
    void theLastReferenceDeletesAndRetainedFilesWait() throws IOException {
        for (final StagedFiles staged : List.of(new StagedFiles(), StagedFiles.withBackgroundDeletion())) {
            final List<Path> files = files(50);
            files.forEach(staged::stage);
            assertThat(staged.retain(files.getFirst())).isTrue(); // a queued operation reads it
            files.forEach(staged::release);
            staged.awaitDeletions();
            assertThat(files.subList(1, files.size())).allMatch(f -> !Files.exists(f));
            assertThat(files.getFirst()).exists();
            assertThat(staged.isStaged(files.getFirst())).isTrue();
            assertThat(staged.retain(files.get(1))).as("deleted files cannot be retained").isFalse();
            staged.release(files.getFirst());
            staged.close();
            assertThat(files.getFirst()).doesNotExist();
            assertThat(staged.deleted()).isEqualTo(50);
            assertThat(staged.size()).isZero();
        }
    }
}
