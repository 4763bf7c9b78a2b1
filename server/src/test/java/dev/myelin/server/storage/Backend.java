package dev.myelin.server.storage;

/** The databases every store contract test runs against. */
public enum Backend { SQLITE, POSTGRES }
