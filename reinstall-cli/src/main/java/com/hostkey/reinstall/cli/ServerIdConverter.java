package com.hostkey.reinstall.cli;

import picocli.CommandLine;

/** A Hostkey server id: a positive whole number. */
public final class ServerIdConverter implements CommandLine.ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        String text = value.strip();
        if (text.matches("\\d{1,18}") && Long.parseLong(text) > 0) {
            return Long.parseLong(text);
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a server id: give Hostkey's numeric id, e.g. 25250");
    }
}
