from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A number drawn anew each time a transaction that wrote a topic's tables commits: a
    value cached at version n is current as long as the version is still n. No row yet
    reads as 0."""

    topic = models.CharField(_("topik"), max_length=20, primary_key=True)
    version = models.BigIntegerField(_("versi"), default=0)

    class Meta:
        verbose_name = _("versi data")
        verbose_name_plural = _("versi data")

    def __str__(self) -> str:
        return f"{self.topic} v{self.version}"


class PendingBump(models.Model):
    """One row per writing transaction, inserted by the statement triggers; its deferred
    trigger moves the versions on at commit and deletes it. Never holds committed rows."""

    txid = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.txid)


class KeyVersion(models.Model):
    """The version of one key within a topic (a word of the product catalogue): a value that
    depends on a few keys only is computed again when one of them moves on, not on every
    write to the topic. Drawn from the same sequence as the topics' versions, at commit;
    never deleted (a key back at 0 could bring an old value back)."""

    pk = models.CompositePrimaryKey("topic", "key")
    topic = models.CharField(_("topik"), max_length=20)
    key = models.TextField(_("kunci"))
    version = models.BigIntegerField(_("versi"))

    class Meta:
        verbose_name = _("versi kunci")
        verbose_name_plural = _("versi kunci")

    def __str__(self) -> str:
        return f"{self.topic}:{self.key} v{self.version}"


class PendingKey(models.Model):
    """The keys a writing transaction touched, moved on at its commit (with PendingBump)."""

    pk = models.CompositePrimaryKey("txid", "topic", "key")
    txid = models.BigIntegerField()
    topic = models.CharField(max_length=20)
    key = models.TextField()

    def __str__(self) -> str:
        return f"{self.txid} {self.topic}:{self.key}"
