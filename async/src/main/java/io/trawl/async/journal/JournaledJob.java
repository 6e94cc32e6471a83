package io.trawl.async.journal;

import io.trawl.async.job.JobKind;
import io.trawl.async.job.Outcome;

/**
 * A job as the journal remembers it, for recovery: what to run again and how far it got.
 *
 * @param id          the job id (kept when the job is re-run)
 * @param ticket      submission order across pipelines
 * @param pipeline    the pipeline that submitted it
 * @param script      the script's name
 * @param scriptPath  the script file
 * @param kind        what it does
 * @param source      cat/copy source, or null
 * @param target      destination/file, or null
 * @param seekpos     copybuffer position, or -1
 * @param bytes       copybuffer bytes, or null
 * @param payload     schedule: the task codec's bytes, or null
 * @param intent      the offset an append was about to write at, or -1
 * @param effect      the outcome once its effects were done, or null
 * @param result      a schedule's result (with an effect), or null
 * @param error       the failure (with an effect), or null
 */
public record JournaledJob(long id, long ticket, int pipeline, String script, String scriptPath, JobKind kind, String source,
                           String target, long seekpos, byte[] bytes, byte[] payload, long intent, Outcome effect,
                           String result, String error) {
    JournaledJob withIntent(final long offset) {
        return new JournaledJob(id, ticket, pipeline, script, scriptPath, kind, source, target, seekpos, bytes, payload, offset,
            effect, result, error);
    }

    JournaledJob withEffect(final Outcome outcome, final String resultText, final String errorText) {
        return new JournaledJob(id, ticket, pipeline, script, scriptPath, kind, source, target, seekpos, bytes, payload, intent,
            outcome, resultText, errorText);
    }
}
