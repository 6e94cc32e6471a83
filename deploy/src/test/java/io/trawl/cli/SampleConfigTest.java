package io.trawl.cli;

import io.trawl.config.ConfigFile;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/trawl.yaml loads: the script list and the nested lua: section side by side. */
class SampleConfigTest {
    @Test
    void theSampleConfigLoads() {
        final TrawlContext context = new TrawlContext();
        ConfigFile.load(Path.of(System.getProperty("trawl.project.dir", "..")).resolve("deploy/trawl.yaml"), context);
        assertThat(context.scripts()).isEqualTo(List.of(Path.of("deploy/scripts")));
        assertThat(context.get(TrawlSettings.SCRIPTS_BUDGET)).isEqualTo(20_000_000L);
        assertThat(context.get(TrawlSettings.SCRIPTS_COMPILE)).isEqualTo("luajc");
        assertThat(context.get(TrawlSettings.SCRIPTS_BUCKET_SECONDS)).isEqualTo(60);
        assertThat(context.get(TrawlSettings.SCRIPTS_PCAP_FILE_BYTES)).isEqualTo(64L << 20);
        assertThat(context.get(TrawlSettings.SCRIPTS_HOMENETS)).hasSize(4);
        assertThat(context.pipelines()).isEqualTo(2);
    }
}
