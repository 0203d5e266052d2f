/*
 * store_schema.h - the schema migration steps of the store (store.h
 * documents the schema itself).  Step v turns a version-v database into
 * version v + 1; steps are only ever appended, never edited, so every
 * database ever written can be brought forward.
 */
#ifndef ISOLAT_STORE_SCHEMA_H
#define ISOLAT_STORE_SCHEMA_H

extern const char *const store_migrations[];
extern const int store_nmigrations;

#endif
