"""Importing JetBrains HTTP Client files (``.http``) as flows."""
