from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.identity import canonical_email


class Currency(models.TextChoices):
    """ISO 4217 codes of the currencies sellers here price in."""

    USD = "USD", "US dollar (USD)"
    CAD = "CAD", "Canadian dollar (CAD)"
    EUR = "EUR", "Euro (EUR)"
    GBP = "GBP", "Pound sterling (GBP)"
    AUD = "AUD", "Australian dollar (AUD)"
    NZD = "NZD", "New Zealand dollar (NZD)"
    INR = "INR", "Indian rupee (INR)"
    MXN = "MXN", "Mexican peso (MXN)"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Every write of an e-mail (create, admin edit) stores the canonical form,
        # so lookups are plain equality (accounts.identity).
        return canonical_email(email or "")

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=canonical_email(username))

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    # Always the canonical form (accounts.identity), so unique=True is unique per account
    # whatever the case or Unicode spelling typed.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The currency of the seller's prices, as marketplaces' files that name one write it.
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            # A guard for writes that skip the manager: ASCII case alone never makes
            # a second account, even if someone stores a non-canonical form.
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="A user with that e-mail address already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        # Before the form's unique check, so a variant spelling is found taken.
        self.email = self.__class__.objects.normalize_email(self.email)

    def save(self, *args, **kwargs) -> None:
        # Whoever saves (manager, admin, factories), only the canonical form is stored.
        self.email = self.__class__.objects.normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class IdempotentRequest(models.Model):
    """A request that changed data, kept under the key its client gave it
    (``Idempotency-Key``, or the grid's one-time token) so that a repeat gets the
    first answer instead of applying twice. Kept in the database, not Redis: the
    key is written in the same transaction as the change it guards, so a change is
    never applied without its key (or the key kept for a change that rolled
    back), and a repeat sent while the first is running waits on the key's unique
    index instead of racing it. Rows expire (see accounts.idempotency)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idempotent_requests")
    key = models.CharField(max_length=255)
    # What the key was used for (method, path and a digest of the body): the same
    # key with another request is refused, not answered with the wrong result.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_key_unique")]
        indexes = [models.Index(fields=["user", "expires_at"], name="idempotent_request_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
