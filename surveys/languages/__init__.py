"""A person's language (DESIGN §2: text is bilingual): the one of their profile applies
from sign-in on, on every page and in every email; the header's switch changes it."""
