package com.hostkey.reinstall.cli.progress;

import java.time.Instant;

/**
 * Something new about a watched reinstall: the fact in words, when it happened and whether it
 * ended the reinstall.
 */
public record ProgressChange(long serverId, Instant at, EventDescription description, boolean finished) {}
