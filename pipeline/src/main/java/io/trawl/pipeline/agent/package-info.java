/**
 * Running agents on threads: idle strategies chosen by name from configuration, and the decorator that
 * pins an agent's thread to a CPU before its first duty cycle. Every long-lived thread in trawl is an
 * Agrona {@link org.agrona.concurrent.Agent} run by an {@link org.agrona.concurrent.AgentRunner}.
 */
package io.trawl.pipeline.agent;
