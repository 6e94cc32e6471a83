/**
 * What scripts see: {@code engine}, Buffer, Layer, Packet, FlowID (userdata whose methods check their
 * arguments and name themselves in errors), the {@code T} table, RE2 and Aho-Corasick objects. Views of
 * packet memory (Buffer, Layer, Packet) are valid only during the callback that received them
 * ({@link io.trawl.pipeline.script.objects.ViewScope}).
 *
 * <p>Threading: objects of a pipeline state are used on that pipeline's thread only.
 */
package io.trawl.pipeline.script.objects;
