"""A site's labelled CSV, read as the Swift site reads it (Sources/FedData/Dataset+CSV.swift).

A header row with unique names; blank lines skipped; every record with as many fields as
the header; each of the model's ``featureNames`` a column (others ignored); every feature
cell, trimmed of spaces and tabs, a finite number; every label cell, trimmed the same way,
exactly one of the model's ``classNames``.
"""

import csv
import math

import numpy as np

from .errors import DataMismatch


class Table:
    """A CSV file read whole: ``header`` and ``records`` as (line, fields)."""

    def __init__(self, path, header, records):
        self.path = path
        self.header = header
        self.records = records

    @staticmethod
    def read(path):
        """Reads and checks ``path``; a problem is a ``DataMismatch`` naming the file and line."""
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                rows = list(_numbered(csv.reader(handle, strict=True)))
        except FileNotFoundError:
            raise DataMismatch(f"{path} does not exist") from None
        except UnicodeDecodeError:
            raise DataMismatch(f"{path} is not UTF-8 text") from None
        except (OSError, csv.Error) as error:
            raise DataMismatch(f"{path} cannot be read as CSV: {error}") from None
        if not rows or rows[0][1] in ([], [""]):
            raise DataMismatch(f"{path} has no header row")
        header = rows[0][1]
        seen = set()
        for column in header:
            if column in seen:
                raise DataMismatch(f"{path} names column '{column}' twice")
            seen.add(column)
        records = []
        for line, fields in rows[1:]:
            if fields in ([], [""]):
                continue
            if len(fields) != len(header):
                raise DataMismatch(f"{path} line {line} has {len(fields)} fields, the header {len(header)}")
            records.append((line, fields))
        return Table(path, header, records)

    def column(self, name):
        """The index of column ``name``, or a ``DataMismatch`` listing the columns there are."""
        if name not in self.header:
            raise DataMismatch(
                f"{self.path} has no column '{name}' (its columns: {', '.join(self.header)})"
            )
        return self.header.index(name)


def _numbered(reader):
    """Each record with the 1-based line it starts on."""
    line = 1
    for fields in reader:
        yield line, fields
        line = reader.line_num + 1


def read_examples(path, label, feature_names, class_names):
    """Features [N, F] (float32, raw, in ``feature_names`` order) and class indices [N]."""
    table = Table.read(path)
    label_index = table.column(label)
    columns = [table.column(name) for name in feature_names]
    if not table.records:
        raise DataMismatch(f"{path} has a header but no rows")
    classes = {name: index for index, name in enumerate(class_names)}
    features = np.empty((len(table.records), len(columns)), dtype=np.float32)
    labels = np.empty(len(table.records), dtype=np.int64)
    for row, (line, fields) in enumerate(table.records):
        value = fields[label_index].strip(" \t")
        if value not in classes:
            if not value:
                raise DataMismatch(f"{path} line {line} has an empty label in column '{label}'")
            known = ", ".join(class_names[:10]) + (", …" if len(class_names) > 10 else "")
            raise DataMismatch(f"{path} line {line} has label '{value}', which is not one of the model's classes ({known})")
        labels[row] = classes[value]
        for position, index in enumerate(columns):
            features[row, position] = _number(fields[index], path, line, feature_names[position])
    return features, labels


def _number(cell, path, line, column):
    text = cell.strip(" \t")
    try:
        # Python also reads "1_000" and surrounding newlines; Swift's Float(_:) does not.
        if "_" in text or text != text.strip():
            raise ValueError
        value = np.float32(float(text))
    except (ValueError, OverflowError):
        value = np.float32("nan")
    if not math.isfinite(value):
        raise DataMismatch(f"{path} line {line} column '{column}' holds '{text}', not a finite number")
    return value


def stratified_split(labels, evaluation_fraction, seed):
    """Seeded, stratified (train, evaluation) index arrays: each class is shuffled and
    ``round(count × fraction)`` of it held out (halves away from zero), as StratifiedSplit
    in Sources/FedData; each part is then shuffled so classes interleave."""
    rng = np.random.default_rng(seed)
    train, held = [], []
    for label in sorted(set(int(x) for x in labels)):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        taken = int(math.floor(len(members) * evaluation_fraction + 0.5))
        taken = min(taken, len(members))
        held.extend(members[len(members) - taken :] if taken else [])
        train.extend(members[: len(members) - taken])
    train, held = np.asarray(train, dtype=np.int64), np.asarray(held, dtype=np.int64)
    rng.shuffle(train)
    rng.shuffle(held)
    return train, held


def count_rows(path, label):
    """Before joining: the file is readable CSV with the label column; returns its number of rows
    (announced in ``hello`` as the most the site's updates may weigh)."""
    table = Table.read(path)
    table.column(label)
    return len(table.records)
