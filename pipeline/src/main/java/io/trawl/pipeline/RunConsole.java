package io.trawl.pipeline;

/**
 * Where a run's human-readable output goes. The command line's implementation keeps script output and
 * messages from garbling its progress bar. Implementations must be thread-safe.
 */
public interface RunConsole {
    /** Information for the operator (startup map, summary line). */
    void info(String line);

    /** A problem worth the operator's attention. */
    void warn(String line);

    /** Text a script printed ({@code print}), one line per call. */
    void scriptOutput(String line);

    /** A console that drops everything (tools and tests that check outcomes, not messages). */
    static RunConsole silent() {
        return Silent.INSTANCE;
    }

    /** Plain standard output / standard error. */
    static RunConsole standard() {
        return new RunConsole() {
            @Override
            public void info(final String line) {
                System.out.println(line);
            }

            @Override
            public void warn(final String line) {
                System.err.println(line);
            }

            @Override
            public void scriptOutput(final String line) {
                System.out.println(line);
            }
        };
    }

    /** The one {@link #silent()} console. */
    final class Silent implements RunConsole {
        private static final Silent INSTANCE = new Silent();

        private Silent() {
        }

        @Override
        public void info(final String line) {
        }

        @Override
        public void warn(final String line) {
        }

        @Override
        public void scriptOutput(final String line) {
        }
    }
}
